#pragma once
#include <stdexcept>
#include <string>

namespace samtok::checkpoint {

// A checkpoint that cannot be used: unreadable, truncated, hostile or not matching the model.
// The message names the file and the problem.
class CheckpointError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace samtok::checkpoint
