// The cluster glue on real schedulers' terms: a Slurm job array of shards and its dependent merge on a single-node
// Slurm started by the test, and the Kubernetes Indexed Job's manifest read as a cluster would.
#include "CliRun.h"
#include "TestPaths.h"
#include "TinyCoco.h"
#include "TokenRows.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

using namespace samtok;
using samtok::test::runCli;
using samtok::test::TempDir;
using samtok::test::tokenRows;
namespace fs = std::filesystem;

namespace {

using Shell = samtok::test::CliResult;
Shell shell(const std::string& cmd) {
    return samtok::test::runShell(cmd);
}

const std::string kSource = SAMTOK_SOURCE_DIR;

}  // namespace

TEST(Cluster, ASlurmJobArrayOfFourShardsAndItsMergeGiveTheSingleRunsTokens) {
    TempDir dir;
    const std::string cluster = dir.file("slurm");
    const Shell started = shell(kSource + "/tests/cluster/local-slurm.sh start " + cluster);
    if (started.code == 77) GTEST_SKIP() << started.out;
    ASSERT_EQ(started.code, 0) << started.out;
    struct Stop {
        std::string cmd;
        ~Stop() { shell(cmd); }
    } stop{kSource + "/tests/cluster/local-slurm.sh stop " + cluster};
    const std::string env =
        "SLURM_CONF=" + cluster + "/slurm.conf PATH=$PATH:/usr/sbin SAMTOK=" SAMTOK_CLI " GPUS_PER_TASK=0 DEVICE=cpu ";

    ASSERT_EQ(runCli("project sample " + dir.file("single")).code, 0);
    ASSERT_EQ(runCli("project sample " + dir.file("cluster")).code, 0);
    ASSERT_EQ(runCli("tokenize " + dir.file("single/sample.samtok") + " --threads 1").code, 0);
    const Shell submitted = shell(env + kSource + "/packaging/slurm/submit.sh " + dir.file("cluster/sample.samtok") +
                                  " " + dir.file("shards") + " 4 --cpus-per-task=1");
    ASSERT_EQ(submitted.code, 0) << submitted.out;
    EXPECT_NE(submitted.out.find("(4 tasks)"), std::string::npos) << submitted.out;

    // Until the queue is empty: the four shards, then the merge.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    while (std::chrono::steady_clock::now() < deadline && !shell(env + "squeue -h").out.empty())
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    std::string logs;
    for (const auto& e : fs::directory_iterator(dir.file("shards")))
        if (e.path().extension() == ".log")
            logs += e.path().filename().string() + ": " + shell("cat " + e.path().string()).out;
    int shardFiles = 0;
    for (const auto& e : fs::directory_iterator(dir.file("shards"))) shardFiles += e.path().extension() == ".jsonl";
    EXPECT_EQ(shardFiles, 4) << logs;
    EXPECT_NE(logs.find("merged 4 shard(s)"), std::string::npos) << logs;
    const auto expected = tokenRows(dir.file("single/sample.samtok"));
    ASSERT_GT(expected.size(), 20u);
    EXPECT_EQ(tokenRows(dir.file("cluster/sample.samtok")), expected) << logs;
}

TEST(Cluster, ACocoFileTooLargeForAProjectIsTokenizedByTheArrayAndExportedByTheLastJob) {
    TempDir dir;
    const std::string cluster = dir.file("slurm");
    const Shell started = shell(kSource + "/tests/cluster/local-slurm.sh start " + cluster);
    if (started.code == 77) GTEST_SKIP() << started.out;
    ASSERT_EQ(started.code, 0) << started.out;
    struct Stop {
        std::string cmd;
        ~Stop() { shell(cmd); }
    } stop{kSource + "/tests/cluster/local-slurm.sh stop " + cluster};
    samtok::test::writeCoco(dir);
    const std::string env =
        "SLURM_CONF=" + cluster +
        "/slurm.conf PATH=$PATH:/usr/sbin SAMTOK=" SAMTOK_CLI " GPUS_PER_TASK=0 DEVICE=cpu IMAGES=" + dir.file("img") +
        " EXPORT_OPTIONS='--tasks refseg --records-per-file 5' ";
    const Shell submitted = shell(env + kSource + "/packaging/slurm/submit.sh " + dir.file("instances.json") + " " +
                                  dir.file("shards") + " 3 --cpus-per-task=1");
    ASSERT_EQ(submitted.code, 0) << submitted.out;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    while (std::chrono::steady_clock::now() < deadline && !shell(env + "squeue -h").out.empty())
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
    std::string logs;
    for (const auto& e : fs::directory_iterator(dir.file("shards")))
        if (e.path().extension() == ".log")
            logs += e.path().filename().string() + ": " + shell("cat " + e.path().string()).out;
    EXPECT_NE(logs.find("wrote 12 record(s) on 6 image(s)"), std::string::npos) << logs;
    EXPECT_TRUE(fs::exists(dir.file("shards/export/samtok-00000-of-00003.jsonl"))) << logs;
}

TEST(Cluster, TheKubernetesJobIsIndexedOneShardPerCompletionWithAGpuAndTheDataVolume) {
    const std::string manifest = kSource + "/packaging/kubernetes/samtok-tokenize-job.yaml";
    const Shell parsed =
        shell("python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' " + manifest);
    if (parsed.code != 0 && parsed.out.find("No module named") != std::string::npos)
        GTEST_SKIP() << "python3-yaml is not installed";
    ASSERT_EQ(parsed.code, 0) << parsed.out;
    const auto job = nlohmann::json::parse(parsed.out);
    EXPECT_EQ(job["apiVersion"], "batch/v1");
    EXPECT_EQ(job["kind"], "Job");
    const auto& spec = job["spec"];
    EXPECT_EQ(spec["completionMode"], "Indexed");  // JOB_COMPLETION_INDEX is each pod's shard
    ASSERT_TRUE(spec["completions"].is_number_integer());
    EXPECT_GE(spec["parallelism"].get<int>(), 1);
    const auto& pod = spec["template"]["spec"];
    EXPECT_EQ(pod["restartPolicy"], "Never");
    const auto& c = pod["containers"][0];
    const std::vector<std::string> cmd = c["command"];
    const auto shardAt = std::find(cmd.begin(), cmd.end(), "--shard");
    ASSERT_NE(shardAt, cmd.end());
    EXPECT_EQ(*(shardAt + 1), "auto/" + std::to_string(spec["completions"].get<int>()));  // N twice, equal
    EXPECT_NE(std::find(cmd.begin(), cmd.end(), "--out"), cmd.end());
    EXPECT_EQ(c["resources"]["limits"]["nvidia.com/gpu"], 1);
    const std::string mount = c["volumeMounts"][0]["mountPath"];
    EXPECT_EQ(cmd[2].rfind(mount, 0), 0u) << "the project lies on the data volume";
    EXPECT_EQ(pod["volumes"][0]["name"], c["volumeMounts"][0]["name"]);
    EXPECT_TRUE(pod["volumes"][0].contains("persistentVolumeClaim"));
}
