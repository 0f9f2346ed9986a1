# Install rules and the CMake package: after `cmake --install build --prefix P`, a project with
# CMAKE_PREFIX_PATH=P does find_package(softmdp) and links softmdp::softmdp (docs/library.md).
include(CMakePackageConfigHelpers)
set(SOFTMDP_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/softmdp)

install(TARGETS softmdp EXPORT softmdpTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The public headers: lib/include/softmdp only (lib/src's private headers stay behind), plus the two
# generated ones. Not distributed/: softmdp_distributed (MPI) is not installed yet.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/include/softmdp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp" PATTERN "distributed" EXCLUDE)
install(FILES ${SOFTMDP_GENERATED_INCLUDE}/softmdp/version.hpp ${SOFTMDP_GENERATED_INCLUDE}/softmdp/softmdp.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/softmdp)
install(EXPORT softmdpTargets NAMESPACE softmdp:: DESTINATION ${SOFTMDP_CMAKE_DIR})

get_target_property(SOFTMDP_LIBRARY_TYPE softmdp TYPE)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/softmdpConfig.cmake.in
  ${PROJECT_BINARY_DIR}/softmdpConfig.cmake INSTALL_DESTINATION ${SOFTMDP_CMAKE_DIR})
# 0.x: a minor version may break the API, so only the same major.minor satisfies a request.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/softmdpConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/softmdpConfig.cmake ${PROJECT_BINARY_DIR}/softmdpConfigVersion.cmake
  DESTINATION ${SOFTMDP_CMAKE_DIR})

if(SOFTMDP_BUILD_CLI)
  install(TARGETS softmdp_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
