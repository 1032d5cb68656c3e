#include <gtest/gtest.h>

#include <string>

#include "converters/ConverterRegistry.hpp"
#include "pipeline/core/ClassRegistry.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/core/JsonFile.hpp"
#include "support/ErrorOf.hpp"

namespace samed2d {
namespace {

std::string config_error_of(const std::string& text) {
  return test::error_of<ConfigError>([&] { parse_json_text(text, "c.json"); }, "no error");
}

TEST(JsonFileTest, SyntaxErrorsAndDuplicateKeysAreConfigErrorsWithTheirPlace) {
  EXPECT_EQ(config_error_of("{\n  \"a\": 1,\n}"),
            "c.json: line 3, column 1: not valid JSON (syntax error while parsing object key - "
            "unexpected '}'; expected string literal); fix the syntax there");
  EXPECT_EQ(config_error_of("{\"a\": 1, \"a\": 2}"),
            "c.json: key \"a\" is given twice in one object; keep only one of them");
}

// fuzz_dataset_config found that a number beyond a double's range made nlohmann throw
// out_of_range, which is no parse_error: it escaped as an uncaught exception, and
// `samed2d convert --config` aborted (exit 134) instead of reporting a config error (exit 2).
TEST(JsonFileTest, NumberBeyondADoubleIsAConfigError) {
  EXPECT_EQ(config_error_of("{\"components\": 1e999}"),
            "c.json: not valid JSON (number overflow parsing '1e999'); write a smaller number");
  EXPECT_EQ(config_error_of("[-1e400]"),
            "c.json: not valid JSON (number overflow parsing '-1e400'); write a smaller number");
  const ClassRegistry classes = ClassRegistry::from_json_text(R"({"liver": "0003"})", "classes");
  EXPECT_THROW(load_dataset_config_text(R"({"dataset": "X", "cases": "*.nii", "modality": "ct_00",
      "label": "{dir}/l.nii", "labels": {"1": "liver"}, "components": 1e999})",
                                        "c.json", classes),
               ConfigError);
}

}  // namespace
}  // namespace samed2d
