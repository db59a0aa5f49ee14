// SPDX-License-Identifier: Apache-2.0
// danube_test.BrokerControl: test-only fault injection and introspection. Not gated: it works
// while Danube calls are stalled or failing, and needs no token.
#include "services.hpp"

namespace dcx::test_broker {
namespace {

grpc::ServerUnaryReactor* reply(grpc::CallbackServerContext* ctx, const grpc::Status& status) {
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(status);
    return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* ControlService::InjectFault(grpc::CallbackServerContext* ctx,
                                                      const danube_test::FaultRequest* req,
                                                      danube_test::ControlReply* resp) {
    switch (req->fault_case()) {
        case danube_test::FaultRequest::kFailNext: {
            const auto& f = req->fail_next();
            if (f.code() < 1 || f.code() > 16) {
                return reply(ctx, {grpc::StatusCode::INVALID_ARGUMENT, "fail_next.code must be a gRPC code 1..16"});
            }
            faults_.fail_next(f.count(), static_cast<grpc::StatusCode>(f.code()), f.message(), f.method());
            resp->set_message("failing the next " + std::to_string(f.count()) + " calls");
            break;
        }
        case danube_test::FaultRequest::kLatency:
            faults_.set_latency(std::chrono::milliseconds(req->latency().millis()), req->latency().method());
            resp->set_message("latency set");
            break;
        case danube_test::FaultRequest::kStall:
            faults_.set_stall(req->stall().enabled(), req->stall().method());
            if (!req->stall().enabled()) gate_.release_all(false);
            resp->set_message(req->stall().enabled() ? "stalling" : "stall released");
            break;
        case danube_test::FaultRequest::kRefuseConnections:
            refuse_(req->refuse_connections().millis());
            resp->set_message("refusing connections");
            break;
        case danube_test::FaultRequest::kCrashAfter:
            faults_.crash_after(req->crash_after().messages());
            resp->set_message("crash armed");
            break;
        case danube_test::FaultRequest::kFailRatio: {
            const auto& f = req->fail_ratio();
            if (!(f.ratio() >= 0 && f.ratio() <= 1)) {
                return reply(ctx, {grpc::StatusCode::INVALID_ARGUMENT, "fail_ratio.ratio must be between 0 and 1"});
            }
            std::vector<grpc::StatusCode> codes;
            bool codes_ok = f.ratio() == 0 || f.codes_size() > 0;
            for (const int32_t code : f.codes()) {
                codes_ok = codes_ok && code >= 1 && code <= 16;
                codes.push_back(static_cast<grpc::StatusCode>(code));
            }
            if (!codes_ok) {
                return reply(ctx, {grpc::StatusCode::INVALID_ARGUMENT, "fail_ratio.codes must be gRPC codes 1..16 (at least one)"});
            }
            faults_.fail_ratio(f.ratio(), std::move(codes), f.method(), f.seed());
            resp->set_message(f.ratio() > 0 ? "failing a share of the calls" : "fail ratio removed");
            break;
        }
        case danube_test::FaultRequest::FAULT_NOT_SET:
            return reply(ctx, {grpc::StatusCode::INVALID_ARGUMENT, "no fault given"});
    }
    return reply(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ControlService::ClearFaults(grpc::CallbackServerContext* ctx, const danube_test::Empty*,
                                                      danube_test::ControlReply* resp) {
    faults_.clear();
    gate_.release_all(false);
    resp->set_message("faults cleared");
    return reply(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ControlService::ForgetProducers(grpc::CallbackServerContext* ctx, const danube_test::Empty*,
                                                          danube_test::ControlReply* resp) {
    resp->set_message("forgot " + std::to_string(core_.forget_producers()) + " producers");
    return reply(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ControlService::CreateNamespace(grpc::CallbackServerContext* ctx,
                                                          const danube_test::NamespaceRequest* req,
                                                          danube_test::ControlReply* resp) {
    const auto st = core_.create_namespace(req->name());
    if (st.ok()) resp->set_message("namespace " + req->name() + " created");
    return reply(ctx, st);
}

grpc::ServerUnaryReactor* ControlService::Stats(grpc::CallbackServerContext* ctx, const danube_test::Empty*,
                                                danube_test::StatsReply* resp) {
    core_.stats(*resp);
    return reply(ctx, grpc::Status::OK);
}

}  // namespace dcx::test_broker
