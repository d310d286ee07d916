#pragma once
// Subcommands of the `syno` CLI. Each registers its options on the app and runs through a callback;
// failures are thrown as syno::Error and printed by main as one line.
namespace CLI {
class App;
}

namespace syno::cli {

void addDemoCommand(CLI::App& app);
void addShowCommand(CLI::App& app);
void addShapesCommand(CLI::App& app);
void addSampleCommand(CLI::App& app);
void addPlanCommand(CLI::App& app);
void addEvalCommand(CLI::App& app);
void addSearchCommand(CLI::App& app);
void addRunsCommand(CLI::App& app);
void addCampaignCommand(CLI::App& app);
void addExportCommand(CLI::App& app);
void addReportCommand(CLI::App& app);

}  // namespace syno::cli
