#pragma once
// What every rank of softmdp-mpi must agree on. Each phase that can fail on one rank only (reading its
// block of the file, checking it, writing the result on rank 0) runs under agree(): when it throws on
// any rank, every rank throws the same error (kind and message) of the lowest failing rank, so all
// exit with the same code and message instead of leaving the others blocked in the next collective.
#include <mpi.h>

#include <functional>
#include <string>

namespace softmdp::distributed {

int rank_of(MPI_Comm comm);
int size_of(MPI_Comm comm);

// Runs f on every rank, then agrees on its outcome (one MPI_Allreduce when it succeeded everywhere).
// A failure is rethrown on every rank as the same softmdp::Error kind (InputError, UsageError,
// NumericalError, IoError; other exceptions as Error), its message prefixed with "rank R: " when the
// communicator has more than one rank. Must be called by every rank of comm.
void agree(MPI_Comm comm, const std::function<void()>& f);

}  // namespace softmdp::distributed
