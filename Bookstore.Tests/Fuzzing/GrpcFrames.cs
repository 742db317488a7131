using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using Bookstore.Protos;
using Bookstore.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Health.V1;

namespace Bookstore.Tests.Fuzzing;

/// <summary>
/// gRPC requests over well-formed HTTP/2 with broken gRPC inside: wrong length prefixes, truncated frames, the compressed
/// flag without compression, unknown or lying grpc-encoding, compression bombs, garbage and mutated protobuf, huge
/// varints, several messages for a unary call, wrong content types and deadlines, unknown methods.
/// </summary>
public static class GrpcFrames
{
    private static readonly (string Path, Func<Random, byte[]> Message)[] Methods =
    [
        ("/Recommendations/Recommend", random => new RecommendationRequest
        {
            UserId = SmallOrWild(random),
            Category = (BookCategory)random.Next(-2, 5),
            MaxResults = SmallOrWild(random),
        }.ToByteArray()),
        ("/Recommendations/GetBook", random =>
        {
            var request = new GetBookRequest { BookId = SmallOrWild(random) };
            if (random.Next(2) == 0)
            {
                request.UserId = SmallOrWild(random);
            }

            return request.ToByteArray();
        }),
        ("/Recommendations/RateBook", random => new RateBookRequest
        {
            UserId = SmallOrWild(random),
            BookId = SmallOrWild(random),
            Stars = random.Next(-1, 7),
        }.ToByteArray()),
        ("/grpc.health.v1.Health/Check", random => new HealthCheckRequest { Service = random.Next(3) == 0 ? Mutator.AwkwardText(random) : "" }.ToByteArray()),
        ("/Recommendations/NoSuchMethod", _ => []),
        ("/NoSuchService/Recommend", _ => []),
    ];

    private static readonly string?[] ContentTypes =
        ["application/grpc", "application/grpc+proto", "application/grpc+json", "application/json", "text/plain", "application/grpc; charset=x", null];

    private static readonly string[] Encodings = ["gzip", "identity", "deflate", "zstd", "gzip, deflate", "", "GZIP", "x\u007f"];

    // Compressed once per size: gzip of up to 16 MiB for every such input would make the fuzzer, not the service, the bottleneck.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte[]> Bombs = new();

    private static readonly string[] Timeouts = ["1S", "100m", "0n", "99999999H", "-1S", "1", "S", "1X", "18446744073709551616n"];

    /// <summary>A valid message of a real method, framed (uncompressed): the raw HTTP/2 fuzzer's DATA payloads.</summary>
    public static (string Path, byte[] Frame) ValidCall(Random random)
    {
        var (path, message) = Methods[random.Next(3)];
        return (path, Frame(0, message(random)));
    }

    /// <summary>One fuzzed call: its path, headers and body.</summary>
    public static (string Path, byte[] Body, List<KeyValuePair<string, string>> Headers) Call(Random random)
    {
        var (path, message) = Methods[random.Next(Methods.Length)];
        var payload = random.Next(6) switch
        {
            0 => message(random),
            1 or 2 => Mutator.Mutate(message(random), random),
            3 => GarbageProtobuf(random),
            4 => Mutator.RandomBytes(random, 64),
            _ => Mutator.Mutate(GarbageProtobuf(random), random),
        };

        var headers = new List<KeyValuePair<string, string>>();
        byte flag = 0;
        switch (random.Next(8))
        {
            case 0:   // properly compressed
                (flag, payload) = (1, Gzip(payload));
                headers.Add(new("grpc-encoding", "gzip"));
                break;
            case 1:   // the compressed flag without any grpc-encoding
                flag = 1;
                break;
            case 2:   // an encoding that is unknown, or that the bytes are not in
                flag = (byte)random.Next(2);
                headers.Add(new("grpc-encoding", Encodings[random.Next(Encodings.Length)]));
                break;
            case 3:   // a compression bomb: 16 MiB of zeros in about 16 KiB, over the 16 KiB limit only once inflated
                (flag, payload) = (1, Bombs.GetOrAdd(random.Next(1, 17), mebibytes => Gzip(new byte[mebibytes << 20])));
                headers.Add(new("grpc-encoding", "gzip"));
                break;
            case 4:   // a flag that is neither 0 nor 1
                flag = (byte)random.Next(2, 256);
                break;
        }

        var body = Frame(flag, payload);
        switch (random.Next(8))
        {
            case 0:   // a length prefix that lies
                BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), random.Next(2) == 0 ? Mutator.InterestingWord(random) : (uint)(payload.Length + random.Next(-3, 4)));
                break;
            case 1:   // truncated, possibly inside the 5-byte prefix
                body = body[..random.Next(body.Length + 1)];
                break;
            case 2:   // more than one message for a unary call, or trailing garbage
                body = [.. body, .. random.Next(2) == 0 ? body : Mutator.RandomBytes(random, 8)];
                break;
            case 3:
                body = [];
                break;
        }

        var contentType = random.Next(4) == 0 ? ContentTypes[random.Next(ContentTypes.Length)] : "application/grpc";
        if (contentType is not null)
        {
            headers.Add(new("content-type", contentType));
        }

        if (random.Next(5) == 0)
        {
            headers.Add(new("grpc-timeout", Timeouts[random.Next(Timeouts.Length)]));
        }

        if (random.Next(10) != 0)
        {
            headers.Add(new("te", "trailers"));
        }

        if (random.Next(10) == 0)
        {
            headers.Add(new("grpc-accept-encoding", Encodings[random.Next(Encodings.Length)]));
        }

        return (path, body, headers);
    }

    /// <summary>Sends one call over <paramref name="http"/> (HTTP/2) and judges what came back.</summary>
    public static async Task<(FuzzOutcome, byte[])> SendAsync(HttpClient http, Random random, CancellationToken cancellationToken)
    {
        var (path, body, headers) = Call(random);
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        foreach (var (name, value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            using var response = await http.SendAsync(request, timeout.Token);
            await response.Content.ReadAsByteArrayAsync(timeout.Token);
            return (Judge(response), body);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (FuzzOutcome.Fail("no answer", $"{path}: {exception.GetType().Name}: {exception.Message} {exception.InnerException?.Message}"), body);
        }
    }

    private static FuzzOutcome Judge(HttpResponseMessage response)
    {
        var http = (int)response.StatusCode;
        if (http >= 500)
        {
            return FuzzOutcome.Fail($"http {http}", $"HTTP {http}");
        }

        if (http != 200)
        {
            return new($"http {http}");
        }

        var status = Http2.GrpcHeader(response, "grpc-status");
        if (status is null)
        {
            return FuzzOutcome.Fail("no grpc-status", "HTTP 200 without grpc-status");
        }

        // UNKNOWN is what grpc-dotnet answers when an exception escapes a handler: an error of ours, not of the input.
        var label = $"grpc-status {status}";
        return status == "2" ? FuzzOutcome.Fail(label, $"UNKNOWN: {Uri.UnescapeDataString(Http2.GrpcHeader(response, "grpc-message") ?? "")}") : new(label);
    }

    /// <summary>A gRPC message frame: the compressed flag, the big-endian length, the payload.</summary>
    public static byte[] Frame(byte flag, byte[] payload)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    private static byte[] Gzip(byte[] payload)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            gzip.Write(payload);
        }

        return output.ToArray();
    }

    private static int SmallOrWild(Random random) => random.Next(4) switch
    {
        0 => (int)Mutator.InterestingWord(random),
        1 => -random.Next(1, 1000),
        _ => random.Next(0, 12),
    };

    /// <summary>Protobuf that no parser should accept: varints of 10+ bytes, lengths past the end, wrong wire types,
    /// field number 0, unbalanced groups, invalid UTF-8 in a string field.</summary>
    private static byte[] GarbageProtobuf(Random random)
    {
        var bytes = new List<byte>();
        for (var field = random.Next(1, 5); field > 0; field--)
        {
            switch (random.Next(7))
            {
                case 0:
                    bytes.Add(0x08);
                    bytes.AddRange(Enumerable.Repeat((byte)0xFF, random.Next(10, 40)));
                    break;
                case 1:
                    bytes.AddRange([0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]);
                    break;
                case 2:
                    bytes.Add((byte)((random.Next(1, 16) << 3) | random.Next(6, 8)));   // wire types 6 and 7 do not exist
                    break;
                case 3:
                    bytes.AddRange([0x00, 0x01]);                                  // field number 0
                    break;
                case 4:
                    bytes.Add((byte)((random.Next(1, 16) << 3) | (random.Next(2) == 0 ? 3 : 4)));   // a group start or end alone
                    break;
                case 5:
                    bytes.AddRange([0x0A, 0x04, 0xC3, 0x28, 0xA0, 0xA1]);          // field 1 as a string of invalid UTF-8
                    break;
                default:
                    var number = random.Next(1, 7);
                    bytes.Add((byte)(number << 3));
                    bytes.AddRange(BitConverter.GetBytes(SmallOrWild(random)).Take(random.Next(1, 5)));
                    break;
            }
        }

        return [.. bytes];
    }
}
