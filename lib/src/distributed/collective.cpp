#include "softmdp/distributed/collective.hpp"

#include <fmt/format.h>

#include <climits>
#include <new>
#include <vector>

#include "softmdp/core/errors.hpp"

namespace softmdp::distributed {

int rank_of(MPI_Comm comm) {
    int r = 0;
    MPI_Comm_rank(comm, &r);
    return r;
}

int size_of(MPI_Comm comm) {
    int n = 0;
    MPI_Comm_size(comm, &n);
    return n;
}

namespace {

enum Kind : int { kInput = 1, kUsage, kNumerical, kIo, kOther };

}  // namespace

void agree(MPI_Comm comm, const std::function<void()>& f) {
    int kind = 0;
    std::string message;  // param() marks kept, so the CLI can write them as options
    try {
        f();
    } catch (const InputError& e) {
        kind = kInput, message = e.marked();
    } catch (const UsageError& e) {
        kind = kUsage, message = e.marked();
    } catch (const NumericalError& e) {
        kind = kNumerical, message = e.marked();
    } catch (const IoError& e) {
        kind = kIo, message = e.marked();
    } catch (const Error& e) {
        kind = kOther, message = e.marked();
    } catch (const std::bad_alloc&) {
        kind = kOther, message = "out of memory: this rank's block of the model is too large for its memory";
    } catch (const std::exception& e) {
        kind = kOther, message = e.what();
    }
    const int me = rank_of(comm);
    int first = kind ? me : INT_MAX;
    MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, comm);
    if (first == INT_MAX) return;
    // The lowest failing rank tells the others what happened.
    unsigned long long length = message.size();
    MPI_Bcast(&kind, 1, MPI_INT, first, comm);
    MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG_LONG, first, comm);
    message.resize(length);
    MPI_Bcast(message.data(), static_cast<int>(length), MPI_CHAR, first, comm);
    if (size_of(comm) > 1) message = fmt::format("rank {}: {}", first, message);
    switch (kind) {
        case kInput: throw InputError(message);
        case kUsage: throw UsageError(message);
        case kNumerical: throw NumericalError(message);
        case kIo: throw IoError(message);
        default: throw Error(message);
    }
}

}  // namespace softmdp::distributed
