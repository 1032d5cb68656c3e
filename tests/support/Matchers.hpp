#pragma once
// The gmock matchers and the std::filesystem alias that the dataset and end-to-end tests use,
// declared once for the tests in namespace samed2d::test.

#include <gmock/gmock.h>

#include <filesystem>

namespace samed2d::test {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

}  // namespace samed2d::test
