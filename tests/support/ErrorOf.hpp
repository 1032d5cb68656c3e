#pragma once
// The message of the error a call throws, for tests that check what a refusal says.

#include <string>

namespace samed2d::test {

// The what() of the `Error` that `action()` throws, or `none` when it returns normally (any other
// exception propagates and fails the test).
template <class Error, class Action>
std::string error_of(Action&& action, const std::string& none = "(no error)") {
  try {
    action();
  } catch (const Error& e) {
    return e.what();
  }
  return none;
}

}  // namespace samed2d::test
