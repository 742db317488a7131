using Bookstore.Recommendations.Recommending;
using Grpc.Core;

namespace Bookstore.Tests.Interceptors;

/// <summary>The test-only service: echoes, or throws what the request asks for.</summary>
public sealed class ProbeService : Probe.ProbeBase
{
    public const string SecretDetail = "connection string Password=hunter2 at line 42";

    public override Task<ProbeReply> Echo(ProbeRequest request, ServerCallContext context) => request.Outcome switch
    {
        Outcome.Succeed => Task.FromResult(new ProbeReply { Text = request.Text }),
        Outcome.ThrowNotFound => throw new CategoryNotFoundException(),
        Outcome.ThrowInvalidRequest => throw new InvalidRequestException("text must not be empty."),
        Outcome.ThrowUnexpected => throw new InvalidOperationException(SecretDetail),
        Outcome.ThrowRpcException => throw new RpcException(new Status(StatusCode.PermissionDenied, "not yours")),
        _ => throw new ArgumentOutOfRangeException(nameof(request)),
    };
}
