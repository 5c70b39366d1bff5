// The ECS cluster query language (memberOf constraints, list filters): the
// common expressions `attribute:ecs.instance-type == t2.micro`, `in [...]`,
// `=~` patterns, `exists`, comparisons, and/or/not with parentheses.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ecsctl::local {

// Looks up the values of a subject ("attribute:ecs.instance-type",
// "ec2InstanceId", "task:group", ...) on one container instance; an empty
// list means the subject is absent.
using CqlLookup = std::function<std::vector<std::string>(std::string_view subject)>;

struct CqlNode;

// A parsed expression. Parse errors throw std::invalid_argument with a message
// that names the offending token.
class CqlExpression {
 public:
  explicit CqlExpression(std::string_view text);
  ~CqlExpression();
  CqlExpression(CqlExpression&&) noexcept;
  CqlExpression& operator=(CqlExpression&&) noexcept;
  // Whether the instance described by `lookup` matches.
  bool matches(const CqlLookup& lookup) const;
  const std::string& text() const { return m_text; }

 private:
  std::string m_text;
  std::unique_ptr<CqlNode> m_root;
};

}  // namespace ecsctl::local
