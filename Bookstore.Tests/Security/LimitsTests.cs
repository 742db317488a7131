using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Bookstore.Tests.Fuzzing;
using Bookstore.Tests.Infrastructure;
using Grpc.Core;

namespace Bookstore.Tests.Security;

/// <summary>Every limit of the README's "Limits" table, hit on the real processes, each followed by a normal call.</summary>
public sealed class LimitsTests(RunningServices services) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = services.Marketplace.BaseAddress };

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task A_grpc_request_over_16_KiB_gets_resource_exhausted_and_the_service_stays_healthy()
    {
        // A Recommend request with a 20 KiB unknown field (number 1000, length-delimited): valid protobuf, too large.
        var field = new List<byte> { 0xC2, 0x3E };   // tag: field 1000, wire type 2
        var size = 20 * 1024;
        for (var rest = size; ; rest >>= 7)
        {
            field.Add((byte)(rest < 0x80 ? rest : (rest & 0x7F) | 0x80));
            if (rest < 0x80)
            {
                break;
            }
        }

        field.AddRange(new byte[size]);
        using var http = Http2.CreateHttpClient(services.Recommendations.BaseAddress);
        using var response = await http.SendAsync(Http2.GrpcRequest("/Recommendations/Recommend", new ByteArrayContent(GrpcFrames.Frame(0, [.. field]))), Cancellation);
        await response.Content.ReadAsByteArrayAsync(Cancellation);

        Assert.Equal(((int)StatusCode.ResourceExhausted).ToString(System.Globalization.CultureInfo.InvariantCulture), Http2.GrpcHeader(response, "grpc-status"));
        await Http2.AssertRecommendationsServeAsync(services.Recommendations.BaseAddress, Cancellation);
    }

    [Fact]
    public async Task A_json_body_over_64_KiB_gets_413_problem_details()
    {
        var body = $"{{\"userId\":1,\"stars\":3,\"padding\":\"{new string('a', 70 * 1024)}\"}}";
        using var response = await _http.PostAsync("/api/books/1/ratings", new StringContent(body, Encoding.UTF8, "application/json"), Cancellation);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_form_with_too_many_fields_gets_400_and_one_over_64_KiB_gets_413_both_saying_why()
    {
        var crowded = new FormUrlEncodedContent(Enumerable.Range(0, 40).Select(i => KeyValuePair.Create($"field{i}", "x")));
        using (var response = await _http.PostAsync("/books/1/rating", crowded, Cancellation))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("more or longer fields than a rating has", await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        var large = new StringContent($"stars=3&{new string('a', 70 * 1024)}=1", Encoding.ASCII, "application/x-www-form-urlencoded");
        using (var response = await _http.PostAsync("/books/1/rating", large, Cancellation))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Contains("larger than a rating can be", await response.Content.ReadAsStringAsync(Cancellation), StringComparison.Ordinal);
        }

        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Headers_over_16_KiB_or_over_50_of_them_get_431_and_a_request_line_over_8_KiB_gets_414()
    {
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/"))
        {
            request.Headers.Add("X-Padding", new string('a', 17 * 1024));
            using var response = await _http.SendAsync(request, Cancellation);
            Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, "/"))
        {
            for (var i = 0; i < 60; i++)
            {
                request.Headers.Add($"X-Header-{i}", "x");
            }

            using var response = await _http.SendAsync(request, Cancellation);
            Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        }

        using (var response = await _http.GetAsync("/category/" + new string('a', 9 * 1024), Cancellation))
        {
            Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
        }

        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_body_sent_slower_than_240_bytes_a_second_is_cut_off_after_the_grace_period()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(services.Marketplace.BaseAddress.Host, services.Marketplace.BaseAddress.Port, Cancellation);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var head = $"POST /api/books/1/ratings HTTP/1.1\r\nHost: {services.Marketplace.BaseAddress.Authority}\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), Cancellation);

        // One byte every 200 ms (5 bytes/s) until the server answers or closes; bounded at 30 s.
        var stopwatch = Stopwatch.StartNew();
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        var read = stream.ReadAsync(buffer, Cancellation).AsTask();
        while (!read.IsCompleted)
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), "The slow body was never cut off.");
            try
            {
                await stream.WriteAsync(" "u8.ToArray(), Cancellation);   // JSON whitespace: the parser waits for more
            }
            catch (IOException)
            {
                break;   // the server closed the connection
            }

            await Task.WhenAny(read, Task.Delay(200, Cancellation));
        }

        var count = await read.ContinueWith(task => task.IsCompletedSuccessfully ? task.Result : 0, TaskScheduler.Default);
        answer.Append(Encoding.ASCII.GetString(buffer, 0, count));
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(4), $"Cut off after {stopwatch.Elapsed}, before the 5 s grace period.");
        Assert.True(count == 0 || answer.ToString().StartsWith("HTTP/1.1 408", StringComparison.Ordinal), answer.ToString());
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task Recommendations_announces_its_http2_limits_in_its_settings_frame()
    {
        var settings = await ServerSettingsAsync(services.Recommendations.BaseAddress);

        var shown = string.Join(", ", settings.Select(setting => $"0x{setting.Key:x}={setting.Value}"));
        Assert.True(settings.GetValueOrDefault(0x3u) == 100, shown);     // SETTINGS_MAX_CONCURRENT_STREAMS
        Assert.True(settings.GetValueOrDefault(0x6u) == 16384, shown);   // SETTINGS_MAX_HEADER_LIST_SIZE (MaxRequestHeadersTotalSize)
        Assert.True(settings.GetValueOrDefault(0x1u, 4096u) == 4096, shown); // SETTINGS_HEADER_TABLE_SIZE (4096 when not sent)
    }

    private async Task AssertStillServesAsync()
    {
        Assert.Equal(3, Distributed.BookstoreApp.CountBooks(await _http.GetStringAsync("/", Cancellation)));
    }

    /// <summary>
    /// The server's first SETTINGS frame over h2c with prior knowledge (RFC 9113 §3.4, §6.5): the connection preface,
    /// an empty SETTINGS frame of ours, then the parameters the server sends.
    /// </summary>
    private static async Task<Dictionary<uint, uint>> ServerSettingsAsync(Uri address)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(address.Host, address.Port, Cancellation);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray(), Cancellation);
        await stream.WriteAsync(new byte[] { 0, 0, 0, 0x4, 0, 0, 0, 0, 0 }, Cancellation);

        var header = new byte[9];
        await stream.ReadExactlyAsync(header, Cancellation);
        var length = (header[0] << 16) | (header[1] << 8) | header[2];
        Assert.Equal(0x4, header[3]);   // the server speaks first with SETTINGS
        var payload = new byte[length];
        await stream.ReadExactlyAsync(payload, Cancellation);
        var settings = new Dictionary<uint, uint>();
        for (var offset = 0; offset + 6 <= length; offset += 6)
        {
            settings[BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(offset))] = BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(offset + 2));
        }

        return settings;
    }
}
