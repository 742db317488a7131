using System.Buffers.Binary;
using System.Net;
using System.Text;
using Bookstore.Tests.Fuzzing;
using Bookstore.Tests.Infrastructure;
using Grpc.Core;

namespace Bookstore.Tests.Security;

/// <summary>The answers the fuzz tests (Fuzzing/) found wrong, each pinned down: what grpc-dotnet and the rating form
/// gave before (UNKNOWN, 500) and what they give now.</summary>
public sealed class MalformedInputTests(RunningServices services)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/Recommendations/Recommend")]
    [InlineData("/grpc.health.v1.Health/Check")]
    public async Task A_message_that_is_not_protobuf_gets_invalid_argument_saying_so(string method)
    {
        // Field number 0 is not protobuf: grpc-dotnet's parser throws before any interceptor runs.
        var (status, message) = await CallAsync(method, GrpcFrames.Frame(0, [0x00, 0x01]));

        Assert.Equal(StatusCode.InvalidArgument, status);
        Assert.Contains($"not a valid request message of {method}", message, StringComparison.Ordinal);
        Assert.Contains("invalid tag", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_frame_flag_other_than_0_or_1_gets_internal_saying_the_frame_is_malformed()
    {
        var (status, message) = await CallAsync("/Recommendations/Recommend", GrpcFrames.Frame(0x20, []));

        Assert.Equal(StatusCode.Internal, status);
        Assert.Contains("gRPC message frame is malformed", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deflate_message_that_does_not_inflate_gets_internal_saying_so()
    {
        // Found by a longer run (scripts/fuzz.sh, seed 777): zlib's error escaped grpc-dotnet as UNKNOWN.
        var (status, message) = await CallAsync("/Recommendations/Recommend", GrpcFrames.Frame(1, [0x08, 0xB8, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0D, 0x0D]), ("grpc-encoding", "deflate"));

        Assert.Equal(StatusCode.Internal, status);
        Assert.Contains("could not be read", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_length_prefix_of_2_GiB_gets_resource_exhausted()
    {
        var frame = GrpcFrames.Frame(0, []);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), 0x80000000);

        var (status, message) = await CallAsync("/Recommendations/GetBook", frame);

        Assert.Equal(StatusCode.ResourceExhausted, status);
        Assert.Contains("larger than the server accepts", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rating_form_cut_off_inside_multipart_gets_400_not_500()
    {
        using var http = new HttpClient { BaseAddress = services.Marketplace.BaseAddress };
        var body = new ByteArrayContent(Encoding.ASCII.GetBytes("--xyz\r\nContent-Disposition: form-data; name=\"stars\"\r\n\r\n4\r\n--xy"));
        body.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=xyz");

        using var response = await http.PostAsync("/books/1/rating", body, Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("cut off or malformed", await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/error")]
    [InlineData("/health")]
    [InlineData("/alive")]
    public async Task A_connect_request_gets_405_not_500(string path)
    {
        // HttpClient sends CONNECT in authority form; the raw request line is what a fuzzer (or a confused proxy) sends.
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(services.Marketplace.BaseAddress.Host, services.Marketplace.BaseAddress.Port, Cancellation);
        await using var stream = new System.Net.Sockets.NetworkStream(socket);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"CONNECT {path} HTTP/1.1\r\nHost: {services.Marketplace.BaseAddress.Authority}\r\nConnection: close\r\n\r\n"), Cancellation);
        using var reader = new StreamReader(stream, Encoding.ASCII);

        Assert.StartsWith("HTTP/1.1 405 ", await reader.ReadLineAsync(Cancellation), StringComparison.Ordinal);
    }

    private async Task<(StatusCode Status, string Message)> CallAsync(string method, byte[] frame, (string Name, string Value)? header = null)
    {
        using var http = Http2.CreateHttpClient(services.Recommendations.BaseAddress);
        using var request = Http2.GrpcRequest(method, new ByteArrayContent(frame));
        if (header is { } extra)
        {
            request.Headers.Add(extra.Name, extra.Value);
        }

        using var response = await http.SendAsync(request, Cancellation);
        await response.Content.ReadAsByteArrayAsync(Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ((StatusCode)int.Parse(Http2.GrpcHeader(response, "grpc-status") ?? "", System.Globalization.CultureInfo.InvariantCulture),
            Uri.UnescapeDataString(Http2.GrpcHeader(response, "grpc-message") ?? ""));
    }
}
