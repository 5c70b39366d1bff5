// EC2 protocol decoding and XML encoding for the local plane.
#include "local/ec2_query.hpp"

#include "local/router.hpp"
#include "schemas/model_view.hpp"

namespace ecsctl::local::ec2_protocol {

Json decode_input(const Json& model, const std::string& operation, const query::Params& params) {
  const model::OperationView& view = model::document_view(model, operation);
  if (!view.input) return Json::object();
  return query::decode_shape(*view.input, params, query::Dialect::ec2);
}

std::string encode_response(const Json& model, const std::string& operation, const Json& output,
                            const std::string& request_id) {
  const model::OperationView& view = model::document_view(model, operation);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + operation + "Response xmlns=\"" +
                    model["metadata"].value("xmlNamespace", "") + "/\"><requestId>" + query::xml_escape(request_id) +
                    "</requestId>";
  if (view.output && output.is_object()) {
    for (const auto& m : view.output->members) {
      auto it = output.find(m.name);
      if (it != output.end()) query::encode_shape(m.target(), *it, m.wire_name(m.name), out, query::Dialect::ec2);
    }
  }
  return out + "</" + operation + "Response>";
}

std::string encode_error(const std::string& code, const std::string& message, const std::string& request_id) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" + query::xml_escape(code) +
         "</Code><Message>" + query::xml_escape(message) + "</Message></Error></Errors><RequestID>" +
         query::xml_escape(request_id) + "</RequestID></Response>";
}

}  // namespace ecsctl::local::ec2_protocol
