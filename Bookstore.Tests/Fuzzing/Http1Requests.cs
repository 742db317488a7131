using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Bookstore.Tests.Fuzzing;

/// <summary>
/// Malformed HTTP/1.1 requests on a raw socket to the Marketplace: broken request lines (methods, targets, versions),
/// header lines (no colon, folded, invalid characters, duplicate or missing Host), body framing (lying, negative or
/// duplicate Content-Length, Content-Length with chunked, bad chunk sizes), bare CR or LF line ends, pipelined
/// requests, and byte-level havoc, on every page and API route. The sentinel's own 200 is part of each label.
/// </summary>
public static partial class Http1Requests
{
    private static readonly string[] Targets =
    [
        "/", "/category/mystery", "/category/science-fiction", "/books/3", "/books/1/rating", "/api/recommendations?category=mystery&max=3&userId=1",
        "/api/books/2", "/api/books/1/ratings", "/health", "/alive", "/openapi/v1.json", "/about.html", "/error", "/nowhere",
    ];

    private static readonly string[] WildTargets =
    [
        "*", "http://elsewhere.example/", "//double//slash", "/%zz", "/%00", "/category/%F0%28%8C", "/books/99999999999", "/books/-1",
        "/api/recommendations?max=abc&category=&userId=-5", "/api/recommendations?category=mystery&max=1e9", "/../../etc/passwd",
        "/category/" + new string('a', 4000), "/?" + string.Join('&', Enumerable.Range(0, 500).Select(i => $"q{i}=x")), "/books/1?rated=\u00ff",
        "/api/books/1/ratings?stars=5", "/category/mystery#fragment", "", "/ /", "/\t/",
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "CONNECT", "get", "G\0T", "PRI", new string('M', 300), ""];

    private static readonly string[] Versions = ["HTTP/1.1", "HTTP/1.0", "HTTP/1.2", "HTTP/2.0", "http/1.1", "HTTP/1.1 extra", "HTTP/", "", "HTTP/1.1\0"];

    /// <summary>One input: a request (or two, pipelined), each part of it broken now and then, sometimes havoc on top;
    /// about a third of the inputs are well-formed enough to reach the app's endpoints.</summary>
    public static byte[] Input(Random random, string authority)
    {
        var request = Request(random, authority);
        if (random.Next(8) == 0)
        {
            request += Request(random, authority);
        }

        var bytes = Encoding.Latin1.GetBytes(request);
        return random.Next(6) == 0 ? Mutator.Mutate(bytes, random) : bytes;
    }

    /// <summary>
    /// Sends the input, then a well-formed sentinel request with "Connection: close", and reads until the server closes:
    /// a request the input finished is answered before the sentinel. (Closing our side instead would make Kestrel abort
    /// the requests in flight, so that a 500 could go unseen.) If the input leaves the server waiting for bytes it
    /// promised, the sentinel is swallowed as body; after half a second of silence our side is closed.
    /// </summary>
    public static async Task<(FuzzOutcome, byte[])> SendAsync(Uri address, Random random, CancellationToken cancellationToken)
    {
        var input = Input(random, address.Authority);
        var sentinel = Encoding.ASCII.GetBytes($"GET /alive HTTP/1.1\r\nHost: {address.Authority}\r\nConnection: close\r\n\r\n");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            LingerState = new LingerOption(true, 0),   // no TIME_WAIT for each of 10,000 client ports
        };
        await socket.ConnectAsync(address.Host, address.Port, cancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            await stream.WriteAsync(input.Concat(sentinel).ToArray(), cancellationToken);
        }
        catch (IOException)
        {
            // The server closed the connection part way through the input (e.g. after a 400 on the request line).
        }

        var answer = new MemoryStream();
        var buffer = new byte[16 * 1024];
        var closedOurSide = false;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            silence.CancelAfter(TimeSpan.FromMilliseconds(500));
            try
            {
                var read = await stream.ReadAsync(buffer, silence.Token);
                if (read == 0)
                {
                    break;
                }

                answer.Write(buffer, 0, read);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (DateTime.UtcNow > deadline)
                {
                    return (FuzzOutcome.Fail("no answer", $"no close within 15 s; got: {Encoding.Latin1.GetString(answer.ToArray())}"), input);
                }

                if (!closedOurSide)
                {
                    // Waiting for bytes the input promised (the sentinel went into a body): there are none.
                    socket.Shutdown(SocketShutdown.Send);
                    closedOurSide = true;
                }
            }
            catch (IOException)
            {
                break;   // reset by the server after (or instead of) its answer
            }
        }

        return (Judge(Encoding.Latin1.GetString(answer.ToArray())), input);
    }

    /// <summary>The status of every response in the answer (one per request the server read, the sentinel's included),
    /// walked by Content-Length and chunked framing.</summary>
    public static FuzzOutcome Judge(string answer)
    {
        var statuses = Statuses(answer);
        if (statuses.Count == 0)
        {
            return new("closed without an answer");
        }

        var label = "http " + string.Join(" + ", statuses);
        // 505 HTTP Version Not Supported is Kestrel's answer to "HTTP/1.2", "HTTP/2.0" or "http/1.1" on the request line:
        // the status RFC 9110 (15.6.6) gives for exactly that, not an error of the server.
        var failed = statuses.FirstOrDefault(s => s >= 500 && s != 505);
        return failed != 0 ? FuzzOutcome.Fail(label, $"HTTP {failed}: {answer[..Math.Min(answer.Length, 600)]}") : new(label);
    }

    private static List<int> Statuses(string answer)
    {
        var statuses = new List<int>();
        var at = 0;
        while (at < answer.Length)
        {
            var head = StatusLine().Match(answer, at);
            var headEnd = answer.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
            if (!head.Success || head.Index != at || headEnd < 0)
            {
                break;
            }

            statuses.Add(int.Parse(head.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture));
            var headers = answer[at..headEnd];
            at = headEnd + 4;
            if (answer.AsSpan(at).StartsWith("HTTP/1.", StringComparison.Ordinal))
            {
                continue;   // no body (1xx, 204, 304, an answer to HEAD): the next response follows at once
            }

            if (ContentLength().Match(headers) is { Success: true } length)
            {
                at += int.Parse(length.Groups["length"].Value, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (headers.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
            {
                while (answer.IndexOf("\r\n", at, StringComparison.Ordinal) is var sizeEnd and >= 0
                    && int.TryParse(answer.AsSpan(at, sizeEnd - at), System.Globalization.NumberStyles.HexNumber, null, out var size))
                {
                    at = sizeEnd + 2 + size + 2;
                    if (size == 0)
                    {
                        break;
                    }
                }
            }
            else
            {
                break;   // a body up to the close
            }
        }

        return statuses;
    }

    private static string Request(Random random, string authority)
    {
        var method = random.Next(8) == 0 ? Methods[random.Next(Methods.Length)] : random.Next(3) == 0 ? "POST" : "GET";
        var target = random.Next(4) == 0 ? WildTargets[random.Next(WildTargets.Length)] : Targets[random.Next(Targets.Length)];
        var version = random.Next(10) == 0 ? Versions[random.Next(Versions.Length)] : "HTTP/1.1";
        var headers = new List<string> { $"Host: {authority}" };
        var body = random.Next(3) switch
        {
            0 => "{\"userId\":1,\"stars\":4}",
            1 => "stars=4",
            _ => "",
        };
        if (body.Length > 0)
        {
            headers.Add(body.StartsWith('{') ? "Content-Type: application/json" : "Content-Type: application/x-www-form-urlencoded");
        }

        var framing = $"Content-Length: {body.Length}";
        switch (random.Next(20))
        {
            case 0:
                framing = $"Content-Length: {(random.Next(2) == 0 ? "-1" : random.Next(2) == 0 ? "99999999999999999999" : "abc")}";
                break;
            case 1:
                framing = $"Content-Length: {body.Length}\r\nContent-Length: {body.Length + 1}";
                break;
            case 2:
                framing = $"Content-Length: {body.Length}\r\nTransfer-Encoding: chunked";
                body = Chunked(body, random);
                break;
            case 3:
                framing = "Transfer-Encoding: chunked";
                body = Chunked(body, random);
                break;
            case 4:
                framing = random.Next(2) == 0 ? "Transfer-Encoding: gzip" : "Transfer-Encoding: chunked, identity";
                break;
            case 5:
                framing = $"Content-Length: {body.Length + random.Next(1, 100)}";   // promises more than it sends
                break;
            case 6:
                headers.Add("Expect: 100-continue");
                break;
        }

        headers.Add(framing);
        switch (random.Next(24))
        {
            case 0:
                headers.RemoveAt(0);                                                   // no Host
                break;
            case 1:
                headers.Add("Host: other.example");                                   // two Hosts
                break;
            case 2:
                headers[0] = random.Next(2) == 0 ? "Host: a b" : "Host: [::1";          // an invalid Host
                break;
            case 3:
                headers.Add("NoColonHere");
                break;
            case 4:
                headers.Add(" folded: continuation");                                 // obs-fold
                break;
            case 5:
                headers.Add("Name With Space : value");
                break;
            case 6:
                headers.Add($"X-Value: {Mutator.AwkwardText(random)}");
                break;
            case 7:
                headers.AddRange(Enumerable.Range(0, random.Next(40, 120)).Select(i => $"X-Many-{i}: x"));
                break;
            case 8:
                headers.Add("Cookie: bookstore-visitor=" + Mutator.AwkwardText(random) + "; .AspNetCore.Antiforgery.x=%%%");
                break;
        }

        var newline = random.Next(20) switch { 0 => "\n", 1 => "\r", _ => "\r\n" };
        return $"{method} {target} {version}{newline}{string.Join(newline, headers)}{newline}{newline}{body}";
    }

    private static string Chunked(string body, Random random) => random.Next(5) switch
    {
        0 => $"{body.Length:x}\r\n{body}\r\n0\r\n\r\n",
        1 => $"fffffffffffffffff\r\n{body}\r\n0\r\n\r\n",              // a size that overflows
        2 => $"-1\r\n{body}\r\n0\r\n\r\n",
        3 => $"{body.Length:x};ext=\"x\r\n{body}\r\n0\r\nTrailer: x\r\n\r\n",  // a broken extension, a trailer
        _ => $"{body.Length + 5:x}\r\n{body}",                        // shorter than announced, no last chunk
    };

    [GeneratedRegex(@"\GHTTP/1\.[01] (?<status>\d{3})")]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"\r\nContent-Length: (?<length>\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex ContentLength();
}
