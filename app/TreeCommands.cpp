// The commands over a finished SA-Med2D tree: `validate`, `export`, `stats` and `report`
// (pipeline/tree does the work).
#include <iostream>
#include <memory>
#include <string>

#include "app/Commands.hpp"
#include "pipeline/core/Errors.hpp"
#include "pipeline/tree/Export.hpp"
#include "pipeline/tree/Report.hpp"
#include "pipeline/tree/Stats.hpp"
#include "pipeline/tree/Validate.hpp"

namespace samed2d {

namespace {

// `samed2d validate DIR`: 0 when the tree is clean, 1 when it has problems, 2 when DIR is not a
// tree at all.
int validate(const std::string& dir, std::size_t examples, std::size_t threads) {
  try {
    const auto report = validate_tree(dir, examples, threads);
    std::cout << format_validation_report(report, dir);
    return report.clean() ? 0 : 1;
  } catch (const ConfigError& e) {
    std::cerr << "samed2d: error: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace

Command add_validate(CLI::App& app) {
  struct ValidateArgs {
    std::string dir;
    std::size_t examples = 5;
    std::size_t threads = 0;
  };
  auto v = std::make_shared<ValidateArgs>();
  auto* validate_cmd = app.add_subcommand(
      "validate",
      "Check an SA-Med2D tree (one samed2d wrote, or the downloaded release): names, the two "
      "JSON files, and the mask PNGs");
  validate_cmd
      ->add_option("dir", v->dir, "The folder that holds images/, masks/ and the JSON files")
      ->required();
  validate_cmd->add_option("--examples", v->examples, "Examples shown per kind of problem")
      ->capture_default_str()
      ->check(count_validator());
  validate_cmd->add_option("--threads", v->threads, "Worker threads (default: all cores)")
      ->check(count_validator());
  validate_cmd->footer(
      "Checks SPEC sections 1, 2, 5 and 6: every file name parses; every path in "
      "SAMed2D_v1.json exists; every file on disk is named by it exactly once, under the image "
      "whose name is its prefix; keys and lists are in ascending byte order; no mask list is "
      "empty; masks are 8-bit grey PNGs of 0 and 255 of their image's size; their class ids are "
      "in SAMed2D_v1_class_mapping_id.json, and each class there has a mask.\n"
      "Examples:\n"
      "  samed2d validate out\n"
      "  samed2d validate /data/SAMed2Dv1 --examples 20\n"
      "Exit status: 0 no problems; 1 problems (each kind with its count and first examples); 2 "
      "bad command line, or DIR is not an SA-Med2D tree.");
  return {validate_cmd, [v] { return validate(v->dir, v->examples, v->threads); }};
}

Command add_export(CLI::App& app) {
  struct ExportArgs {
    ExportOptions options;
    std::string format, split = "case", paths = "absolute";
  };
  auto e = std::make_shared<ExportArgs>();
  auto* export_cmd = app.add_subcommand(
      "export", "Write the JSON files a training framework reads from an SA-Med2D tree");
  export_cmd->add_option("format", e->format, "The framework: sam-med2d")
      ->required()
      ->check(CLI::IsMember({"sam-med2d"}));
  export_cmd->add_option("tree", e->options.tree, "The SA-Med2D tree")->required();
  export_cmd->add_option("--to", e->options.to,
                         "Folder for image2label_train.json and label2image_test.json (default: "
                         "the tree); SAM-Med2D's data_path");
  export_cmd
      ->add_option("--test-fraction", e->options.test_fraction,
                   "Share of each dataset in the test file")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  export_cmd->add_option("--seed", e->options.seed, "Seed of the split")->capture_default_str();
  export_cmd
      ->add_option("--split-by", e->split,
                   "case: every slice of a case on one side (no patient in both); image")
      ->capture_default_str()
      ->check(CLI::IsMember({"case", "image"}));
  export_cmd
      ->add_option("--paths", e->paths,
                   "absolute, or relative to --to (SAM-Med2D opens paths as written)")
      ->capture_default_str()
      ->check(CLI::IsMember({"absolute", "relative"}));
  export_cmd->add_flag("--quiet", e->options.quiet, "No progress line");
  export_cmd->footer(
      "Writes image2label_train.json (image -> its masks, for SAM-Med2D's TrainingDataset) and "
      "label2image_test.json (mask -> its image, for TestingDataset). The split is stratified per "
      "dataset and a function of the seed and the tree alone.\n"
      "Examples:\n"
      "  samed2d export sam-med2d out\n"
      "  samed2d export sam-med2d out --to /data/sammed --test-fraction 0.1 --seed 7\n"
      "  python train.py --data_path /data/sammed   # in SAM-Med2D's checkout\n"
      "Exit status: 0 written; 2 bad command line, or TREE is not a valid SA-Med2D tree.");
  return {export_cmd, [e] {
            e->options.split_by_case = e->split == "case";
            e->options.absolute_paths = e->paths == "absolute";
            return export_sam_med2d(e->options);
          }};
}

Command add_stats(CLI::App& app) {
  struct StatsArgs {
    std::string tree, format = "table";
    StatsOptions options;
    bool no_sizes = false;
  };
  auto s = std::make_shared<StatsArgs>();
  auto* stats_cmd = app.add_subcommand(
      "stats", "Count images, masks and cases per modality, dataset and class of an SA-Med2D tree");
  stats_cmd->add_option("tree", s->tree, "The SA-Med2D tree")->required();
  stats_cmd->add_option("--format", s->format, "table (for a terminal), csv or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "csv", "json"}));
  stats_cmd->add_flag("--no-sizes", s->no_sizes,
                      "Read only the JSON files, not the image PNG headers (no image sizes)");
  stats_cmd->add_option("--threads", s->options.threads, "Worker threads (default: all cores)")
      ->check(count_validator());
  stats_cmd->footer(
      "Reads SAMed2D_v1.json, the class mapping and the image PNG headers (for the sizes; "
      "--no-sizes skips them).\n"
      "Examples:\n"
      "  samed2d stats out\n"
      "  samed2d stats /data/SAMed2Dv1 --format csv > counts.csv\n"
      "Exit status: 0 printed; 2 bad command line, or TREE is not an SA-Med2D tree.");
  return {stats_cmd, [s] {
            s->options.sizes = !s->no_sizes;
            return print_stats(s->tree, s->format, s->options);
          }};
}

Command add_report(CLI::App& app) {
  auto options = std::make_shared<ReportOptions>();
  auto* report_cmd = app.add_subcommand(
      "report", "Write an HTML page with a tree's statistics, charts and sample previews");
  report_cmd->add_option("tree", options->tree, "The SA-Med2D tree")->required();
  report_cmd->add_option("--to", options->to,
                         "The HTML file (default: TREE/report.html); previews go to a folder "
                         "beside it");
  report_cmd->add_option("--samples", options->samples, "Preview images per dataset")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{0}, std::size_t{1000}));
  report_cmd->add_flag("--quiet", options->quiet, "No progress line");
  report_cmd->footer(
      "The page needs no network: charts are inline SVG, previews PNG files in "
      "<page name>_previews/ beside it (never in images/ or masks/).\n"
      "Examples:\n"
      "  samed2d report out && chromium out/report.html\n"
      "  samed2d report /data/SAMed2Dv1 --to /tmp/sa.html --samples 8\n"
      "Exit status: 0 written; 2 bad command line, or TREE is not an SA-Med2D tree.");
  return {report_cmd, [options] { return write_report(*options); }};
}

}  // namespace samed2d
