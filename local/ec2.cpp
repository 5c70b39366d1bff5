// EC2 of the local control plane (EC2 protocol): VPCs, subnets and security
// groups. The default VPC (k_default_vpc, 172.31.0.0/16, the VPC ELBv2 gives
// load balancers by default) with one default subnet per zone and its
// "default" security group always exists; created ones are stored.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>

#include "local/account.hpp"
#include "local/ec2_query.hpp"
#include "local/elbv2.hpp"
#include "schemas/model.hpp"

namespace ecsctl::local {

namespace {

constexpr const char* k_vpcs = "ec2_vpcs";
constexpr const char* k_subnets = "ec2_subnets";
constexpr const char* k_groups = "ec2_security_groups";

struct Cidr {
  uint32_t addr = 0;
  int prefix = 0;
};

std::optional<Cidr> parse_cidr(const std::string& s) {
  unsigned a, b, c, d;
  int prefix, n = 0;
  if (std::sscanf(s.c_str(), "%u.%u.%u.%u/%d%n", &a, &b, &c, &d, &prefix, &n) != 5 || static_cast<size_t>(n) != s.size())
    return std::nullopt;
  if (a > 255 || b > 255 || c > 255 || d > 255 || prefix < 0 || prefix > 32) return std::nullopt;
  Cidr out{(a << 24) | (b << 16) | (c << 8) | d, prefix};
  uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  if ((out.addr & ~mask) != 0) return std::nullopt;
  return out;
}

bool contains(const Cidr& outer, const Cidr& inner) {
  if (inner.prefix < outer.prefix) return false;
  uint32_t mask = outer.prefix == 0 ? 0 : ~uint32_t{0} << (32 - outer.prefix);
  return (inner.addr & mask) == outer.addr;
}

bool overlaps(const Cidr& a, const Cidr& b) { return contains(a, b) || contains(b, a); }

Json tags_for(const Json& in, const char* resource_type) {
  Json tags = Json::array();
  for (const auto& spec : in.value("TagSpecifications", Json::array()))
    if (spec.value("ResourceType", "") == resource_type)
      for (const auto& t : spec.value("Tags", Json::array())) tags.push_back(t);
  return tags;
}

[[noreturn]] void missing(const std::string& name) {
  throw ApiError("MissingParameter", "The request must contain the parameter " + name);
}

class Ec2 {
 public:
  explicit Ec2(AccountContext& ctx) : m_ctx(ctx) {}

  Json call(const std::string& op, const Json& in) {
    if (op == "DescribeVpcs") return describe(in, vpcs(), "VpcIds", "Vpcs", "VpcId", "vpc", vpc_field);
    if (op == "DescribeSubnets") return describe(in, subnets(), "SubnetIds", "Subnets", "SubnetId", "subnet", subnet_field);
    if (op == "DescribeSecurityGroups") return describe_groups(in);
    if (op == "CreateVpc") return create_vpc(in);
    if (op == "CreateSubnet") return create_subnet(in);
    if (op == "CreateSecurityGroup") return create_security_group(in);
    throw ApiError("InvalidAction", "The action " + op + " is not valid for this web service.");
  }

 private:
  using Field = std::optional<std::string> (*)(const Json& resource, const std::string& filter);

  std::string owner() const { return m_ctx.account; }

  Json default_vpc() const {
    return {{"VpcId", k_default_vpc}, {"CidrBlock", "172.31.0.0/16"}, {"State", "available"},
            {"DhcpOptionsId", "dopt-0local"}, {"InstanceTenancy", "default"}, {"IsDefault", true},
            {"OwnerId", owner()},
            {"CidrBlockAssociationSet", {{{"AssociationId", "vpc-cidr-assoc-0local"}, {"CidrBlock", "172.31.0.0/16"},
                                          {"CidrBlockState", {{"State", "associated"}}}}}}};
  }
  Json subnet_doc(const std::string& id, const std::string& vpc, const std::string& cidr, const std::string& zone,
                  bool default_for_az, const Json& tags) const {
    auto c = parse_cidr(cidr);
    long count = c ? (1L << (32 - c->prefix)) - 5 : 0;
    Json s = {{"SubnetId", id}, {"VpcId", vpc}, {"CidrBlock", cidr}, {"AvailabilityZone", zone},
              {"AvailabilityZoneId", "local-az" + std::to_string(zone.back() - 'a' + 1)}, {"State", "available"},
              {"AvailableIpAddressCount", count}, {"DefaultForAz", default_for_az},
              {"MapPublicIpOnLaunch", default_for_az}, {"OwnerId", owner()},
              {"SubnetArn", m_ctx.arn("ec2", "subnet/" + id)}};
    if (!tags.empty()) s["Tags"] = tags;
    return s;
  }
  Json group_doc(const std::string& id, const std::string& name, const std::string& description,
                 const std::string& vpc, const Json& tags) const {
    Json g = {{"GroupId", id}, {"GroupName", name}, {"Description", description}, {"VpcId", vpc},
              {"OwnerId", owner()}, {"IpPermissions", Json::array()},
              {"IpPermissionsEgress", {{{"IpProtocol", "-1"}, {"IpRanges", {{{"CidrIp", "0.0.0.0/0"}}}}}}},
              {"SecurityGroupArn", m_ctx.arn("ec2", "security-group/" + id)}};
    if (!tags.empty()) g["Tags"] = tags;
    return g;
  }

  std::vector<Json> stored(const char* table) {
    std::vector<Json> out;
    for (const auto& [id, v] : m_ctx.store.table(table)) out.push_back(v);
    std::stable_sort(out.begin(), out.end(), [](const Json& a, const Json& b) {
      return a.value("_seq", 0L) < b.value("_seq", 0L);
    });
    for (auto& v : out) v.erase("_seq");
    return out;
  }
  std::vector<Json> vpcs() {
    std::vector<Json> out{default_vpc()};
    for (auto& v : stored(k_vpcs)) out.push_back(std::move(v));
    return out;
  }
  std::vector<Json> subnets() {
    std::vector<Json> out;
    const char* cidrs[] = {"172.31.0.0/20", "172.31.16.0/20", "172.31.32.0/20"};
    for (int i = 0; i < 3; ++i) {
      char z = static_cast<char>('a' + i);
      out.push_back(subnet_doc(default_subnet_id(z), k_default_vpc, cidrs[i], m_ctx.region + z, true, Json::array()));
    }
    for (auto& v : stored(k_subnets)) out.push_back(std::move(v));
    return out;
  }
  std::vector<Json> groups() {
    std::vector<Json> out{group_doc(k_default_sg, "default", "default VPC security group", k_default_vpc, Json::array())};
    for (auto& v : stored(k_groups)) out.push_back(std::move(v));
    return out;
  }

  static std::optional<std::string> tag_field(const Json& r, const std::string& f) {
    if (f.rfind("tag:", 0) == 0)
      for (const auto& t : r.value("Tags", Json::array()))
        if (t.value("Key", "") == f.substr(4)) return t.value("Value", "");
    if (f == "tag-key")
      for (const auto& t : r.value("Tags", Json::array())) return t.value("Key", "");
    return std::nullopt;
  }
  static std::optional<std::string> text(const Json& r, const char* member) {
    if (!r.contains(member)) return std::nullopt;
    const Json& v = r[member];
    return v.is_string() ? v.get<std::string>() : v.dump();
  }
  static std::optional<std::string> vpc_field(const Json& r, const std::string& f) {
    if (f == "vpc-id") return text(r, "VpcId");
    if (f == "cidr" || f == "cidr-block-association.cidr-block") return text(r, "CidrBlock");
    if (f == "is-default") return text(r, "IsDefault");
    if (f == "state") return text(r, "State");
    if (f == "owner-id") return text(r, "OwnerId");
    return tag_field(r, f);
  }
  static std::optional<std::string> subnet_field(const Json& r, const std::string& f) {
    if (f == "subnet-id") return text(r, "SubnetId");
    if (f == "vpc-id") return text(r, "VpcId");
    if (f == "availability-zone" || f == "availabilityZone") return text(r, "AvailabilityZone");
    if (f == "cidr-block" || f == "cidr" || f == "cidrBlock") return text(r, "CidrBlock");
    if (f == "default-for-az" || f == "defaultForAz") return text(r, "DefaultForAz");
    if (f == "state") return text(r, "State");
    if (f == "owner-id") return text(r, "OwnerId");
    return tag_field(r, f);
  }
  static std::optional<std::string> group_field(const Json& r, const std::string& f) {
    if (f == "group-id") return text(r, "GroupId");
    if (f == "group-name") return text(r, "GroupName");
    if (f == "vpc-id") return text(r, "VpcId");
    if (f == "description") return text(r, "Description");
    if (f == "owner-id") return text(r, "OwnerId");
    return tag_field(r, f);
  }

  // Whether `value` matches `pattern` with EC2's wildcards (* and ?).
  static bool glob(const std::string& pattern, const std::string& value, size_t p = 0, size_t v = 0) {
    if (p == pattern.size()) return v == value.size();
    if (pattern[p] == '*') return glob(pattern, value, p + 1, v) || (v < value.size() && glob(pattern, value, p, v + 1));
    return v < value.size() && (pattern[p] == '?' || pattern[p] == value[v]) && glob(pattern, value, p + 1, v + 1);
  }

  static bool matches(const Json& r, const Json& filters, Field field) {
    for (const auto& f : filters) {
      std::string name = f.value("Name", "");
      auto value = field(r, name);
      if (!value && name.rfind("tag", 0) != 0)
        throw ApiError("InvalidParameterValue", "The filter '" + name + "' is invalid");
      bool any = false;
      for (const auto& want : f.value("Values", Json::array()))
        if (value && glob(want.get<std::string>(), *value)) any = true;
      if (!any) return false;
    }
    return true;
  }

  Json describe(const Json& in, std::vector<Json> all, const char* ids_member, const char* out_member,
                const char* id_member, const std::string& kind, Field field) {
    Json out = {{out_member, Json::array()}};
    Json ids = in.value(ids_member, Json::array());
    for (const auto& id : ids) {
      std::string s = id.get<std::string>();
      if (s.rfind(kind + "-", 0) != 0)
        throw ApiError(std::string(kind == "vpc" ? "InvalidVpcID" : "InvalidSubnetID") + ".Malformed",
                       "Invalid id: \"" + s + "\"");
      bool found = std::any_of(all.begin(), all.end(), [&](const Json& r) { return r.value(id_member, "") == s; });
      if (!found)
        throw ApiError(std::string(kind == "vpc" ? "InvalidVpcID" : "InvalidSubnetID") + ".NotFound",
                       "The " + kind + " ID '" + s + "' does not exist");
    }
    Json filters = in.value("Filters", Json::array());
    for (auto& r : all) {
      if (!ids.empty() && std::find(ids.begin(), ids.end(), r[id_member]) == ids.end()) continue;
      if (matches(r, filters, field)) out[out_member].push_back(std::move(r));
    }
    return out;
  }

  Json describe_groups(const Json& in) {
    std::vector<Json> all = groups();
    Json ids = in.value("GroupIds", Json::array()), names = in.value("GroupNames", Json::array());
    for (const auto& id : ids) {
      std::string s = id.get<std::string>();
      if (s.rfind("sg-", 0) != 0) throw ApiError("InvalidGroupId.Malformed", "Invalid id: \"" + s + "\"");
      if (std::none_of(all.begin(), all.end(), [&](const Json& g) { return g["GroupId"] == s; }))
        throw ApiError("InvalidGroup.NotFound", "The security group '" + s + "' does not exist");
    }
    for (const auto& n : names) {
      std::string s = n.get<std::string>();
      if (std::none_of(all.begin(), all.end(), [&](const Json& g) { return g["GroupName"] == s && g["VpcId"] == k_default_vpc; }))
        throw ApiError("InvalidGroup.NotFound", "The security group '" + s + "' does not exist in default VPC '" +
                                                    std::string(k_default_vpc) + "'");
    }
    Json out = {{"SecurityGroups", Json::array()}};
    Json filters = in.value("Filters", Json::array());
    for (auto& g : all) {
      if (!ids.empty() && std::find(ids.begin(), ids.end(), g["GroupId"]) == ids.end()) continue;
      if (!names.empty() && (g["VpcId"] != k_default_vpc || std::find(names.begin(), names.end(), g["GroupName"]) == names.end()))
        continue;
      if (matches(g, filters, group_field)) out["SecurityGroups"].push_back(std::move(g));
    }
    return out;
  }

  Json find_vpc(const std::string& id) {
    for (auto& v : vpcs())
      if (v["VpcId"] == id) return v;
    throw ApiError("InvalidVpcID.NotFound", "The vpc ID '" + id + "' does not exist");
  }

  void put(const char* table, const std::string& id, Json doc) {
    doc["_seq"] = m_ctx.store.next_sequence("ec2");
    m_ctx.store.put(table, id, std::move(doc));
  }

  Json create_vpc(const Json& in) {
    if (!in.contains("CidrBlock")) missing("cidrBlock");
    std::string cidr = in["CidrBlock"];
    auto c = parse_cidr(cidr);
    if (!c)
      throw ApiError("InvalidParameterValue", "Value (" + cidr + ") for parameter cidrBlock is invalid. This is not a valid CIDR block.");
    if (c->prefix < 16 || c->prefix > 28) throw ApiError("InvalidVpc.Range", "The CIDR '" + cidr + "' is invalid.");
    std::string id = "vpc-" + m_ctx.hex(17);
    Json vpc = {{"VpcId", id}, {"CidrBlock", cidr}, {"State", "available"}, {"DhcpOptionsId", "dopt-0local"},
                {"InstanceTenancy", in.value("InstanceTenancy", "default")}, {"IsDefault", false},
                {"OwnerId", owner()},
                {"CidrBlockAssociationSet", {{{"AssociationId", "vpc-cidr-assoc-" + m_ctx.hex(17)}, {"CidrBlock", cidr},
                                              {"CidrBlockState", {{"State", "associated"}}}}}}};
    Json tags = tags_for(in, "vpc");
    if (!tags.empty()) vpc["Tags"] = tags;
    put(k_vpcs, id, vpc);
    std::string sg = "sg-" + m_ctx.hex(17);
    put(k_groups, sg, group_doc(sg, "default", "default VPC security group", id, Json::array()));
    return {{"Vpc", vpc}};
  }

  Json create_subnet(const Json& in) {
    if (!in.contains("VpcId")) missing("vpcId");
    if (!in.contains("CidrBlock")) missing("cidrBlock");
    std::string vpc_id = in["VpcId"], cidr = in["CidrBlock"];
    Json vpc = find_vpc(vpc_id);
    auto c = parse_cidr(cidr);
    if (!c)
      throw ApiError("InvalidParameterValue", "Value (" + cidr + ") for parameter cidrBlock is invalid. This is not a valid CIDR block.");
    auto vc = parse_cidr(vpc.value("CidrBlock", ""));
    if (!vc || !contains(*vc, *c) || c->prefix > 28) throw ApiError("InvalidSubnet.Range", "The CIDR '" + cidr + "' is invalid.");
    for (const auto& s : subnets())
      if (s["VpcId"] == vpc_id)
        if (auto o = parse_cidr(s.value("CidrBlock", "")); o && overlaps(*o, *c))
          throw ApiError("InvalidSubnet.Conflict", "The CIDR '" + cidr + "' conflicts with another subnet");
    std::string zone = in.value("AvailabilityZone", m_ctx.region + "a");
    if (zone.size() != m_ctx.region.size() + 1 || zone.rfind(m_ctx.region, 0) != 0 || zone.back() < 'a' || zone.back() > 'f')
      throw ApiError("InvalidParameterValue", "Value (" + zone + ") for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: " +
                                                  m_ctx.region + "a, " + m_ctx.region + "b, " + m_ctx.region + "c.");
    std::string id = "subnet-" + m_ctx.hex(17);
    Json subnet = subnet_doc(id, vpc_id, cidr, zone, false, tags_for(in, "subnet"));
    put(k_subnets, id, subnet);
    return {{"Subnet", subnet}};
  }

  Json create_security_group(const Json& in) {
    if (!in.contains("GroupName")) missing("GroupName");
    if (!in.contains("Description")) missing("GroupDescription");
    std::string name = in["GroupName"], vpc_id = in.value("VpcId", std::string(k_default_vpc));
    if (name.rfind("sg-", 0) == 0)
      throw ApiError("InvalidParameterValue", "Group names may not be in the format sg-*.");
    find_vpc(vpc_id);
    for (const auto& g : groups())
      if (g["GroupName"] == name && g["VpcId"] == vpc_id)
        throw ApiError("InvalidGroup.Duplicate", "The security group '" + name + "' already exists for VPC '" + vpc_id + "'");
    std::string id = "sg-" + m_ctx.hex(17);
    Json g = group_doc(id, name, in["Description"], vpc_id, tags_for(in, "security-group"));
    put(k_groups, id, g);
    Json out = {{"GroupId", id}, {"SecurityGroupArn", g["SecurityGroupArn"]}};
    if (g.contains("Tags")) out["Tags"] = g["Tags"];
    return out;
  }

  AccountContext& m_ctx;
};

}  // namespace

void register_ec2(AccountContext& ctx, Router& router) {
  const Json& model = model::service("ec2");
  std::string version = model["metadata"]["apiVersion"];
  auto ec2 = std::make_shared<Ec2>(ctx);
  for (const char* op : {"DescribeVpcs", "DescribeSubnets", "DescribeSecurityGroups", "CreateVpc", "CreateSubnet",
                         "CreateSecurityGroup"}) {
    std::string operation = op;
    router.add_query(operation, version, [&ctx, &model, ec2, operation](const HttpRequest& r) {
      HttpResponse out;
      out.content_type = "text/xml;charset=UTF-8";
      std::string request_id = ctx.uuid();
      try {
        Json input = ec2_protocol::decode_input(model, operation, query::parse_form(r.body, r.query));
        if (input.value("DryRun", false))
          throw ApiError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
        out.body = ec2_protocol::encode_response(model, operation, ec2->call(operation, input), request_id);
      } catch (const ApiError& e) {
        out.status = e.status;
        out.body = ec2_protocol::encode_error(e.code, e.what(), request_id);
      }
      return out;
    });
  }
}

}  // namespace ecsctl::local
