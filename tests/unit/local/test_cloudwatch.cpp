// CloudWatch GetMetricData of the local control plane: the ECS service metrics
// (flat figures, the statistics hook), periods, ordering, and the Query round trip.
#include <doctest/doctest.h>

#include <cmath>

#include "local/cloudwatch.hpp"
#include "local/elbv2_query.hpp"
#include "schemas/model.hpp"

using namespace ecsctl;
using namespace ecsctl::local;

namespace {

struct Fixture {
  Store store{":memory:"};
  double now = 1700000000.0;  // a multiple of 60 + 20
  CloudWatch cw{store, [this] { return now; }};

  Fixture() {
    store.put("services", "c/web", {{"serviceName", "web"}, {"status", "ACTIVE"}, {"runningCount", 2},
                                    {"createdAt", now - 300}});
    store.commit();
  }
  static Json query(const std::string& metric, const std::string& service = "web", const char* stat = "Average",
                    long period = 60) {
    return {{"Id", "q"},
            {"MetricStat",
             {{"Metric",
               {{"Namespace", "AWS/ECS"},
                {"MetricName", metric},
                {"Dimensions", {{{"Name", "ClusterName"}, {"Value", "c"}}, {{"Name", "ServiceName"}, {"Value", service}}}}}},
              {"Period", period},
              {"Stat", stat}}}};
  }
  Json get(const Json& q, const char* scan = "TimestampAscending") {
    return cw.get_metric_data({{"MetricDataQueries", {q}}, {"StartTime", now - 3600}, {"EndTime", now}, {"ScanBy", scan}})
        ["MetricDataResults"][0];
  }
};

}  // namespace

TEST_SUITE("local cloudwatch") {
  TEST_CASE("a running service reports the flat figures, a point a period since it was created") {
    Fixture f;
    Json r = f.get(Fixture::query("CPUUtilization"));
    CHECK(r["StatusCode"] == "Complete");
    CHECK(r["Label"] == "CPUUtilization");
    REQUIRE(r["Values"].size() == 6);  // created 300 s ago, not on a minute boundary
    CHECK(r["Values"][0].get<double>() == doctest::Approx(k_flat_cpu_percent));
    CHECK(r["Timestamps"][0].get<double>() < r["Timestamps"][5].get<double>());
    CHECK(std::fmod(r["Timestamps"][0].get<double>(), 60.0) == 0);
    Json m = f.get(Fixture::query("MemoryUtilization"), "TimestampDescending");
    CHECK(m["Values"][0].get<double>() == doctest::Approx(k_flat_memory_percent));
    CHECK(m["Timestamps"][0].get<double>() > m["Timestamps"][5].get<double>());
    CHECK(f.get(Fixture::query("CPUUtilization", "web", "SampleCount"))["Values"][0].get<double>() == 2);
  }

  TEST_CASE("no data points for other metrics, unknown or idle services") {
    Fixture f;
    CHECK(f.get(Fixture::query("NetworkIn"))["Values"].empty());
    CHECK(f.get(Fixture::query("CPUUtilization", "nope"))["Values"].empty());
    f.store.put("services", "c/web", {{"serviceName", "web"}, {"status", "ACTIVE"}, {"runningCount", 0},
                                      {"createdAt", f.now - 300}});
    CHECK(f.get(Fixture::query("CPUUtilization"))["Values"].empty());
  }

  TEST_CASE("the statistics hook replaces the flat figure where it has one") {
    Fixture f;
    f.cw.set_stats([](const Json& svc, const std::string& metric, double from, double) -> std::optional<double> {
      CHECK(svc["serviceName"] == "web");
      if (metric != "CPUUtilization") return std::nullopt;
      return static_cast<double>(static_cast<long>(from) % 7);
    });
    Json r = f.get(Fixture::query("CPUUtilization"));
    double t0 = r["Timestamps"][0].get<double>();
    CHECK(r["Values"][0].get<double>() == static_cast<double>(static_cast<long>(t0) % 7));
    CHECK(f.get(Fixture::query("MemoryUtilization"))["Values"][0].get<double>() == k_flat_memory_percent);
  }

  TEST_CASE("without the flat fallback, a period the hook has no figure for has no data point") {
    Fixture f;
    f.cw.set_stats(
        [&f](const Json&, const std::string&, double from, double) -> std::optional<double> {
          if (from + 120 > f.now) return 42.0;  // only the newest periods have statistics
          return std::nullopt;
        },
        false);
    Json r = f.get(Fixture::query("CPUUtilization"));
    REQUIRE(r["Values"].size() >= 1);
    CHECK(r["Values"].size() < 6);  // the service is 5 minutes old: 6 periods with the flat figures
    for (const auto& v : r["Values"]) CHECK(v.get<double>() == 42.0);
  }

  TEST_CASE("bad periods and time ranges are refused") {
    Fixture f;
    CHECK_THROWS_AS(f.get(Fixture::query("CPUUtilization", "web", "Average", 90)), ApiError);
    CHECK_THROWS_AS(f.cw.get_metric_data({{"MetricDataQueries", Json::array()}, {"StartTime", f.now}, {"EndTime", f.now - 1}}),
                    ApiError);
  }

  TEST_CASE("Query form in, XML out, as the AWS CLI 2.9 speaks it") {
    Fixture f;
    const Json& model = model::service("cloudwatch");
    auto params = query::parse_form(
        "Action=GetMetricData&Version=2010-08-01&StartTime=2023-11-14T21%3A13%3A20Z&EndTime=2023-11-14T22%3A13%3A20Z"
        "&MetricDataQueries.member.1.Id=m&MetricDataQueries.member.1.MetricStat.Metric.Namespace=AWS%2FECS"
        "&MetricDataQueries.member.1.MetricStat.Metric.MetricName=CPUUtilization"
        "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Name=ClusterName"
        "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.1.Value=c"
        "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.2.Name=ServiceName"
        "&MetricDataQueries.member.1.MetricStat.Metric.Dimensions.member.2.Value=web"
        "&MetricDataQueries.member.1.MetricStat.Period=60&MetricDataQueries.member.1.MetricStat.Stat=Average");
    Json in = query::decode_input(model, "GetMetricData", params);
    std::string xml = query::encode_response(model, "GetMetricData", f.cw.get_metric_data(in), "rid");
    CHECK(xml.find("<GetMetricDataResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\">"
                   "<GetMetricDataResult><MetricDataResults><member><Id>m</Id>") == 0);
    CHECK(xml.find("<Values><member>12.5</member>") != std::string::npos);
    CHECK(xml.find("<StatusCode>Complete</StatusCode>") != std::string::npos);
  }
}
