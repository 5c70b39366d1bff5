// CloudWatch GetMetricData for the ECS service metrics (see cloudwatch.hpp).
#include "local/cloudwatch.hpp"

#include <chrono>
#include <algorithm>
#include <cmath>
#include <random>

#include "client/protocols.hpp"
#include "local/elbv2_query.hpp"
#include "schemas/model.hpp"

namespace ecsctl::local {

namespace {

constexpr const char* k_target_prefix = "GraniteServiceVersion20100801";

double system_now() {
  using namespace std::chrono;
  return static_cast<double>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()) / 1000.0;
}


double time_member(const Json& in, const char* name) {
  auto it = in.find(name);
  if (it == in.end()) throw ApiError("MissingParameter", std::string("The parameter ") + name + " is required.");
  auto t = client::parse_timestamp(*it);
  if (!t) throw ApiError("InvalidParameterValue", std::string("The parameter ") + name + " is not a valid timestamp.");
  return *t;
}

std::string dimension(const Json& metric, const char* name) {
  for (const auto& d : metric.value("Dimensions", Json::array()))
    if (d.value("Name", "") == name) return d.value("Value", "");
  return {};
}

}  // namespace

CloudWatch::CloudWatch(Store& store, std::function<double()> clock)
    : m_store(store), m_clock(clock ? std::move(clock) : system_now) {}

void CloudWatch::register_operations(Router& router) {
  const Json& model = model::service("cloudwatch");
  std::string version = model["metadata"]["apiVersion"];
  router.add_query("GetMetricData", version, [this, &model](const HttpRequest& r) {
    HttpResponse out;
    out.content_type = "text/xml";
    std::string id = request_id();
    try {
      Json input = query::decode_input(model, "GetMetricData", query::parse_form(r.body, r.query));
      out.body = query::encode_response(model, "GetMetricData", get_metric_data(input), id);
    } catch (const ApiError& e) {
      out.status = e.status;
      out.body = query::encode_error(model, e.code, e.what(), id, e.status < 500);
    }
    return out;
  });
  router.add_json(k_target_prefix, "GetMetricData", [this](const Json& in) { return get_metric_data(in); },
                  "cloudwatch");
}

Json CloudWatch::get_metric_data(const Json& in) {
  double start = time_member(in, "StartTime"), end = time_member(in, "EndTime");
  if (start >= end)
    throw ApiError("InvalidParameterValue", "The parameter StartTime must be less than the parameter EndTime.");
  bool ascending = in.value("ScanBy", "TimestampDescending") == "TimestampAscending";
  Json results = Json::array();
  for (const auto& q : in.value("MetricDataQueries", Json::array())) {
    Json r = one_query(q, start, end, ascending);
    if (q.value("ReturnData", true)) results.push_back(std::move(r));
  }
  return {{"MetricDataResults", results}, {"Messages", Json::array()}};
}

Json CloudWatch::one_query(const Json& q, double start, double end, bool ascending) {
  Json out = {{"Id", q.value("Id", "")}, {"Timestamps", Json::array()}, {"Values", Json::array()},
              {"StatusCode", "Complete"}};
  if (!q.contains("MetricStat")) {  // math expressions are not evaluated here
    out["Label"] = q.value("Label", q.value("Id", ""));
    return out;
  }
  const Json& stat = q["MetricStat"];
  const Json& metric = stat.value("Metric", Json::object());
  std::string name = metric.value("MetricName", "");
  out["Label"] = q.value("Label", name);
  long period = stat.value("Period", 60L);
  if (period < 1 || (period >= 60 ? period % 60 != 0 : 60 % period != 0))
    throw ApiError("InvalidParameterValue", "The parameter MetricDataQueries.member.1.MetricStat.Period must be a "
                                            "multiple of 60 or one of 1, 5, 10, 20, 30.");
  if (metric.value("Namespace", "") != "AWS/ECS" || (name != "CPUUtilization" && name != "MemoryUtilization"))
    return out;
  std::string cluster = dimension(metric, "ClusterName"), service = dimension(metric, "ServiceName");
  const Json* svc = m_store.get("services", cluster + "/" + service);
  if (cluster.empty() || service.empty() || !svc || (*svc)["status"] != "ACTIVE" ||
      (*svc).value("runningCount", 0L) < 1)
    return out;
  // A data point for every period since the service was created, up to now.
  double created = (*svc).value("createdAt", start);
  double now = m_clock();
  double p = static_cast<double>(period);
  double first = std::floor(std::max(start, created) / p) * p;
  std::string statistic = stat.value("Stat", "Average");
  double tasks = static_cast<double>((*svc).value("runningCount", 0L));
  std::vector<std::pair<double, double>> points;
  for (double t = first; t < end && t <= now; t += p) {
    std::optional<double> v;
    if (m_stats) v = m_stats(*svc, name, t, t + p);
    if (!v && m_stats && !m_flat_fallback) continue;
    double value = v ? *v : (name == "CPUUtilization" ? k_flat_cpu_percent : k_flat_memory_percent);
    if (statistic == "SampleCount") value = tasks;
    else if (statistic == "Sum") value *= tasks;
    points.emplace_back(t, value);
  }
  if (!ascending) std::reverse(points.begin(), points.end());
  for (const auto& [t, v] : points) {
    out["Timestamps"].push_back(t);
    out["Values"].push_back(v);
  }
  return out;
}

}  // namespace ecsctl::local
