// What travels between ranks comes back exactly: every double bit for bit (NaN as NaN), texts with any
// bytes, and a malformed message is an error, not a crash.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "base/Error.h"
#include "distributed/Messages.h"

namespace syno::distributed {
namespace {

bool sameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b)); }

TEST(Messages, JobsRoundTrip) {
    JobMessage m{42, search::Candidate{"syno-operator 1\nprimary N=1: 0\n", "00ff", "split:ab/finalize:cd", 0.1 + 0.2,
                                       std::numeric_limits<double>::quiet_NaN()}};
    const JobMessage back = decodeJob(encode(m));
    EXPECT_EQ(back.job, 42);
    EXPECT_EQ(back.candidate.operatorText, m.candidate.operatorText);
    EXPECT_EQ(back.candidate.canonicalId, "00ff");
    EXPECT_EQ(back.candidate.path, m.candidate.path);
    EXPECT_TRUE(sameBits(back.candidate.operatorFlops, 0.1 + 0.2));
    EXPECT_TRUE(std::isnan(back.candidate.operatorParams));
}

TEST(Messages, ResultsRoundTripEveryDoubleExactly) {
    search::Metrics metrics{1.0 / 3, 0.7123456789012345, 0.8, 1e-300, 5e300, 123456789.0, 0.049999999999999996,
                            std::numeric_limits<double>::quiet_NaN(), 2.5};
    ResultMessage m{7, search::Outcome{false, "loss is nan at \"epoch\" 1\t\x01", metrics, "{\"a\": [1, 2]}"}, 0.30000000000000004};
    const ResultMessage back = decodeResult(encode(m));
    EXPECT_EQ(back.job, 7);
    EXPECT_FALSE(back.outcome.ok);
    EXPECT_EQ(back.outcome.failure, m.outcome.failure);
    EXPECT_EQ(back.outcome.details, m.outcome.details);
    EXPECT_TRUE(sameBits(back.seconds, m.seconds));
    const auto& a = m.outcome.metrics;
    const auto& b = back.outcome.metrics;
    for (auto field : {&search::Metrics::accuracy, &search::Metrics::testAccuracy, &search::Metrics::baselineAccuracy,
                       &search::Metrics::flops, &search::Metrics::flopsRatio, &search::Metrics::params,
                       &search::Metrics::latencyMs, &search::Metrics::latencyRatio, &search::Metrics::trainSeconds})
        EXPECT_TRUE(sameBits(a.*field, b.*field)) << a.*field << " came back as " << b.*field;
}

TEST(Messages, MalformedMessagesAreErrors) {
    EXPECT_THROW(decodeJob("not json"), Error);
    EXPECT_THROW(decodeJob("[1, 2]"), Error);
    EXPECT_THROW(decodeJob("{\"job\": 1}"), Error);
    EXPECT_THROW(decodeResult("{\"job\": 1, \"ok\": true, \"failure\": \"\", \"metrics\": [1], \"details\": \"\", "
                              "\"seconds\": 0}"),
                 Error);
    EXPECT_THROW(decodeResult(""), Error);
}

}  // namespace
}  // namespace syno::distributed
