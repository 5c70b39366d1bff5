// The credential provider chain, in the AWS CLI's order: environment,
// assume-role, web identity, IAM Identity Center (SSO), shared files,
// credential_process, container credentials, EC2 instance metadata (IMDSv2).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "client/session.hpp"

namespace ecsctl::client {

// Runs the chain for the session's profile. Throws Error(Exit::config) naming
// the file, profile and line of a broken source, or when no source has credentials.
ResolvedCredentials resolve_credentials(Session& session);

// Splits a credential_process command line into argv as a POSIX shell would
// (quotes and backslashes), without running a shell.
std::vector<std::string> split_command_line(std::string_view command);

// The hex SHA-1 the AWS CLI names SSO token cache files by.
std::string sha1_hex(std::string_view data);

}  // namespace ecsctl::client
