using System.Globalization;
using System.Text;
using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.Core;

namespace Bookstore.Recommendations.Interceptors;

/// <summary>
/// grpc-dotnet reads and parses a call's request message before any interceptor runs, and answers a request it cannot
/// read with UNKNOWN "Exception was thrown by handler.", as if our code had failed: protobuf that does not parse
/// (<see cref="InvalidProtocolBufferException"/>), a message flag other than 0 or 1 (<see cref="InvalidDataException"/>),
/// a compressed message that does not inflate and a length prefix of 2 GiB or more (each an <see cref="IOException"/>).
/// The fuzz tests (Bookstore.Tests/Fuzzing) found all four. This endpoint convention rewrites that answer, which grpc-dotnet
/// leaves in the response headers (a trailers-only response: nothing has been sent yet when the request delegate
/// returns), to what the client did wrong: INVALID_ARGUMENT for a message that is not the method's request message,
/// INTERNAL for a broken frame (as grpc-dotnet answers every other framing error, and as grpc-go and grpc-java do),
/// RESOURCE_EXHAUSTED for a length over the limit (as grpc-dotnet answers smaller lengths over it).
/// </summary>
public static class MalformedRequestStatus
{
    public static TBuilder WithMalformedRequestStatus<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            var call = endpoint.RequestDelegate ?? throw new InvalidOperationException($"Endpoint {endpoint.DisplayName} has no request delegate.");
            endpoint.RequestDelegate = async context =>
            {
                await call(context);
                Rewrite(context);
            };
        });
        return builder;
    }

    private static void Rewrite(HttpContext context)
    {
        if (context.Response.HasStarted
            || context.Features.Get<IServerCallContextFeature>()?.ServerCallContext is not { } call
            || call.Status.StatusCode != StatusCode.Unknown)
        {
            return;
        }

        (StatusCode Code, string Message)? refusal = call.Status.DebugException switch
        {
            InvalidProtocolBufferException parse => (StatusCode.InvalidArgument, $"The request is not a valid request message of {call.Method}: {parse.Message}"),
            InvalidDataException frame => (StatusCode.Internal, $"The request's gRPC message frame is malformed: {frame.Message}"),
            // A length prefix of 2 GiB or more (grpc-dotnet checks smaller ones against MaxReceiveMessageSize itself).
            IOException tooLarge when tooLarge.Message.StartsWith("Message too large", StringComparison.Ordinal) =>
                (StatusCode.ResourceExhausted, $"The request's gRPC message is larger than the server accepts: {tooLarge.Message}"),
            // A message declared deflate-compressed whose bytes do not inflate (zlib's ZLibException, internal to .NET).
            IOException unreadable when !context.RequestAborted.IsCancellationRequested =>
                (StatusCode.Internal, $"The request's gRPC message could not be read (a compressed message that does not decompress?): {unreadable.Message}"),
            _ => null,
        };
        if (refusal is not { } status)
        {
            return;
        }

        WriteTrailersOnly(context.Response, status.Code, status.Message);
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpActivityFeature>()?.Activity.SetTag("grpc.status_code", ((int)status.Code).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>A trailers-only gRPC answer (the status in the response headers, no message): also the client-certificate refusal's.</summary>
    public static void WriteTrailersOnly(HttpResponse response, StatusCode code, string message)
    {
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)code).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = PercentEncode(message);
    }

    // grpc-message is percent-encoded: bytes outside printable ASCII, and '%' itself (gRPC over HTTP/2, "Responses").
    private static string PercentEncode(string message)
    {
        var encoded = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            encoded.Append(b is >= 0x20 and <= 0x7E and not (byte)'%' ? ((char)b).ToString() : $"%{b:X2}");
        }

        return encoded.ToString();
    }
}
