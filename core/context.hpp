// The Context: global options and process facts, built once in main and handed
// to every command. Commands never read globals or the environment directly.
#pragma once
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <typeindex>
#include <unordered_map>

#include "core/environment.hpp"
#include "core/error.hpp"

namespace ecsctl {

enum class OutputFormat { json, yaml, yaml_stream, text, table, off };
enum class ColorMode { on, off, automatic };

// The global options of the AWS CLI (plus --color and --quiet), after command
// line and environment variables are merged.
struct GlobalOptions {
  std::optional<std::string> profile;       // --profile, AWS_PROFILE
  std::optional<std::string> region;        // --region, AWS_REGION, AWS_DEFAULT_REGION
  std::optional<std::string> endpoint_url;  // --endpoint-url (AWS_ENDPOINT_URL is read by client/)
  OutputFormat output = OutputFormat::json; // --output, AWS_DEFAULT_OUTPUT
  bool output_given = false;                // set by --output or AWS_DEFAULT_OUTPUT
  std::optional<std::string> query;         // --query (JMESPath)
  bool debug = false;                       // --debug
  bool verify_ssl = true;                   // --no-verify-ssl
  bool sign_request = true;                 // --no-sign-request
  std::optional<double> connect_timeout;    // --cli-connect-timeout, seconds (0 = none)
  std::optional<double> read_timeout;       // --cli-read-timeout, seconds (0 = none)
  ColorMode color = ColorMode::automatic;   // --color, NO_COLOR
  bool no_pager = false;                    // --no-cli-pager (ecsctl never pages)
  bool wire_timestamps = false;             // the profile's cli_timestamp_format = wire
  std::optional<std::string> ca_bundle;     // --ca-bundle (then AWS_CA_BUNDLE, profile ca_bundle)
  std::string cli_binary_format = "base64"; // --cli-binary-format (accepted, not used)
  bool quiet = false;                       // --quiet: no progress on stderr
};

class Context {
 public:
  Context(std::ostream& out, std::ostream& err, Environment env = {});

  GlobalOptions opts;
  std::ostream& out;  // data only
  std::ostream& err;  // progress, warnings, errors
  Environment env;
  bool stdout_is_tty = false;
  bool stderr_is_tty = false;

  // Whether to colour what goes to stdout / stderr (--color, NO_COLOR, terminal).
  bool color_stdout() const;
  bool color_stderr() const;
  // Whether live progress (a rewritten status line) may be drawn on stderr.
  bool live_progress() const { return stderr_is_tty && !opts.quiet && color_stderr(); }

  // A lazily built per-process service (credentials, transport, database, ...):
  // the first call runs `make`, later calls return the same object.
  template <class T, class Make>
  T& service(Make&& make) {
    auto key = std::type_index(typeid(T));
    auto it = m_services.find(key);
    if (it == m_services.end()) {
      std::shared_ptr<T> made = make();
      it = m_services.emplace(key, std::shared_ptr<void>(made, made.get())).first;
    }
    return *static_cast<T*>(it->second.get());
  }

 private:
  std::unordered_map<std::type_index, std::shared_ptr<void>> m_services;
};

// Set by the SIGINT/SIGTERM handler; long-running commands poll it and stop cleanly.
bool interrupted();
void install_interrupt_handler();
// Throws Error(Exit::interrupted) when Ctrl-C was pressed (SIGINT, exit 130),
// Error(Exit::terminated) on SIGTERM (exit 143).
void check_interrupted();
// The exit code for the stop signal received: Exit::terminated for SIGTERM,
// Exit::interrupted otherwise.
Exit interrupt_exit_code();
// True for both stop-signal exit codes (130 and 143).
bool is_interruption(Exit code);

}  // namespace ecsctl
