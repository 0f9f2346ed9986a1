#pragma once
// What this process may use, so that every size that drives an allocation, a write or a read can be
// checked before it happens, with a message naming the size (docs/reliability.md, "Resource limits").
#include <cstdint>
#include <string>

namespace softmdp {

// Bytes of memory this process may use: physical memory, lowered by address-space or data limits
// (ulimit -v, ulimit -d).
std::uint64_t usable_memory();

// Bytes this process could still allocate now: the kernel's MemAvailable, lowered by what an
// address-space or data limit (ulimit -v, ulimit -d) leaves beyond the process's current size.
// UINT64_MAX when unknown (no /proc).
std::uint64_t available_memory();

// Bytes free for an unprivileged user on the file system that holds `path` (a file to be written:
// its directory is asked), or UINT64_MAX when unknown (stdout, a device, a pipe).
std::uint64_t free_disk(const std::string& path);

// The longest stream (pipe, device) read into memory: a quarter of usable_memory() (the buffer's
// growth holds up to twice this; the rest is left to the model). Regular files are memory-mapped
// and not bounded by this.
std::uint64_t stream_limit();

// The most threads --threads may ask for: 64 per hardware thread. Each costs a stack (megabytes of
// address space); more cannot run at once, and a million would exhaust memory starting.
int thread_limit();

// "1.5 GiB": bytes for messages.
std::string human_bytes(double bytes);

}  // namespace softmdp
