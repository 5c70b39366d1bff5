// One validator of API input against the model view, with two wordings of the
// same findings:
//   - the client's: botocore's ParamValidationError, as the AWS CLI prints it
//     ("Parameter validation failed:\nMissing required parameter in ...", exit 252);
//   - the service's: the exception AWS answers ("1 validation error detected:
//     Value null at 'x' failed to satisfy constraint: Member must not be null").
// Both name a member by the same dotted path of member names
// ("networkConfiguration.awsvpcConfiguration.subnets"); list elements are
// "[0]" in the client's wording and ".1.member" in the service's, and the
// service lowers the first letter of each member ("name" for Name), as each
// side writes them.
//
// What each side checks, as AWS does:
//   - botocore (client): required members, unknown members, types, minimum
//     length and value. It never checks enums (a CLI older than the service must
//     accept values added since), maxima or patterns. Values outside an enum are
//     returned as notes, for a hint.
//   - the service: required members, types, minimum and maximum length and
//     value, enums. Unknown members and nulls are ignored.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "schemas/model_view.hpp"

namespace ecsctl::model {

struct PathStep {
  enum class Kind { member, index, key } kind = Kind::member;
  std::string name;         // member or map key
  std::size_t index = 0;    // list element, from 0
};
using Path = std::vector<PathStep>;

enum class Problem {
  missing_required,  // `member` of the structure at `path` is missing
  unknown_member,    // `member` is not a member of the structure at `path`
  invalid_type,
  invalid_timestamp,
  below_min_length,
  below_min_value,
  above_max_length,
  above_max_value,
  not_in_enum,
};

struct Finding {
  Problem problem = Problem::invalid_type;
  Path path;                        // the value concerned (for member problems: its structure)
  std::string member;               // missing_required, unknown_member
  Json value;                       // the value concerned (not for missing_required)
  const Shape* shape = nullptr;     // its shape (not for unknown_member)
  std::vector<std::string> valid;   // unknown_member: the members; not_in_enum: the values
  double bound = 0;                 // the violated min or max

  // `path` and, for member problems, the member: where the finding points.
  Path member_path() const;
};

struct ValidateOptions {
  bool unknown_members = true;        // report members the structure lacks
  bool enums = false;                 // refuse values outside an enum (else: notes)
  bool maxima = false;                // check max length and value
  bool nulls_are_absent = false;      // a null value is a missing member (JSON services)
  bool normalise_timestamps = false;  // ISO 8601 strings become epoch seconds (the client)
  std::vector<std::string> supplied_later;  // top-level required members filled in later
};
// botocore's checks (and timestamp normalisation); the service's checks.
ValidateOptions client_checks(std::vector<std::string> supplied_later = {});
ValidateOptions service_checks();

struct Findings {
  std::vector<Finding> errors;
  std::vector<Finding> notes;  // values outside an enum, when enums are not refused
  bool ok() const { return errors.empty(); }
};

// Checks `value` against `shape`. Normalises timestamps in place when asked.
Findings validate(const Shape& shape, Json& value, const ValidateOptions& options);
// The same, leaving `value` as it is (normalise_timestamps is ignored).
Findings check(const Shape& shape, const Json& value, ValidateOptions options);

// ---- the client's wording (botocore) ---------------------------------------

// "networkConfiguration.awsvpcConfiguration.subnets", "tags[0].key"; "input" for the top.
std::string client_path(const Path& path);
// One line of botocore's report ("Invalid type for parameter count, value: ...").
std::string client_line(const Finding& finding);
// A suggestion for the finding ("did you mean ...?"), or "".
std::string client_hint(const Finding& finding);
// Throws Error(Exit::usage): "Parameter validation failed:\n" and one line per
// error, as the AWS CLI prints a ParamValidationError. No-op when ok().
void throw_client_error(const Findings& findings);
// The note for a value outside its enum: "launchType: 'BOGUS' is not one of
// the values this model knows: EC2 | FARGATE | ... (did you mean ...?)".
std::string client_note(const Finding& finding);

// ---- the service's wording ---------------------------------------------------

// "networkConfiguration.awsvpcConfiguration.subnets", "tags.1.member.key"; the
// first letter of each member is lowered, as AWS writes them ("name" for Name).
std::string service_path(const Path& path, bool query);
// "Value null at 'cluster' failed to satisfy constraint: Member must not be null".
std::string service_line(const Finding& finding, bool query);

struct Rejection {
  std::string code;     // "InvalidParameterException", "ValidationException", "ValidationError", "SerializationException"
  std::string message;  // "1 validation error detected: ..."
};
// The service's answer to `findings` for `service` ("ecs", "events",
// "scheduler", "elbv2"), or nullopt when ok(). A type mismatch in a JSON
// service is a SerializationException, as the service's deserialiser answers.
std::optional<Rejection> service_rejection(const Findings& findings, std::string_view service);

// Seconds since the epoch for an ISO 8601 date/time or an epoch number, as the
// client accepts timestamps; nullopt otherwise.
std::optional<double> parse_timestamp_text(std::string_view text);

}  // namespace ecsctl::model
