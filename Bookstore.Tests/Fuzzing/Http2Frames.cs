using System.Buffers.Binary;
using System.Net.Sockets;

namespace Bookstore.Tests.Fuzzing;

/// <summary>
/// Malformed HTTP/2, written frame by frame on a raw socket (an HTTP client library refuses to send any of it): broken
/// prefaces, lying frame lengths, unknown types and flags, wrong stream ids, bad SETTINGS, PING, WINDOW_UPDATE,
/// RST_STREAM and PRIORITY frames, padding past the payload, CONTINUATION floods, rapid resets, too many streams, flow
/// control overruns, invalid header lists and HPACK, and byte-level havoc over all of it.
/// </summary>
public static class Http2Frames
{
    private const byte Data = 0x0, Headers = 0x1, Priority = 0x2, RstStream = 0x3, Settings = 0x4, PushPromise = 0x5,
        Ping = 0x6, GoAway = 0x7, WindowUpdate = 0x8, Continuation = 0x9;

    private const byte EndStream = 0x1, Ack = 0x1, EndHeaders = 0x4, Padded = 0x8, PriorityFlag = 0x20;

    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    // A PING after the input: its ACK says the server has read everything before it.
    private static readonly byte[] Sentinel = "fuzzdone"u8.ToArray();

    private static readonly string[] ErrorCodes =
    [
        "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED",
        "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
        "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED",
    ];

    /// <summary>One input: the preface and frames of one to three requests (gRPC calls and health probes), mutated.</summary>
    public static (byte[] Input, HashSet<int> Finished) Input(Random random, string authority)
    {
        // No dynamic table and no push in the answers (unless a mutation drops or breaks this SETTINGS frame).
        var frames = new List<Frame> { new(Settings, 0, 0, SettingsPayload((1, 0), (2, 0))) };
        for (var stream = 1; stream <= 1 + (2 * random.Next(3)); stream += 2)
        {
            if (random.Next(3) == 0)
            {
                frames.Add(new(Headers, EndStream | EndHeaders, stream, Hpack.Encode(RequestHeaders("GET", random.Next(2) == 0 ? "/health" : "/alive", authority, grpc: false))));
            }
            else
            {
                var (path, message) = GrpcFrames.ValidCall(random);
                frames.Add(new(Headers, EndHeaders, stream, Hpack.Encode(RequestHeaders("POST", path, authority, grpc: true))));
                frames.Add(new(Data, EndStream, stream, message));
            }
        }

        for (var round = random.Next(1, 4); round > 0; round--)
        {
            Mutate(frames, random, authority);
        }

        var body = Serialize(frames);
        var havoc = random.Next(5) == 0;
        if (havoc)
        {
            body = Mutator.Mutate(body, random);
        }

        var preface = random.Next(50) == 0 ? Mutator.Mutate(Preface, random) : Preface;
        // The streams that the client finished sending: each must get an answer (headers or RST_STREAM) or a GOAWAY.
        // (Not those it reset itself: the server owes no answer to a cancelled stream.)
        // Nor any after a frame whose length lies: the server reads the frames after it differently from the list.
        var framingIntact = !havoc && frames.All(f => f.DeclaredLength is null || f.DeclaredLength == f.Payload.Length);
        var finished = !framingIntact ? [] : frames.Where(f => f.Type is Headers or Data && (f.Flags & EndStream) != 0 && f.Stream > 0).Select(f => f.Stream).ToHashSet();
        finished.ExceptWith(frames.Where(f => f.Type == RstStream).Select(f => f.Stream));
        return ([.. preface, .. body], finished);
    }

    /// <summary>Sends one input on a new connection and reads what the server does with it.</summary>
    public static async Task<(FuzzOutcome, byte[])> SendAsync(Uri address, Random random, CancellationToken cancellationToken)
    {
        var (input, finished) = Input(random, address.Authority);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            // Reset, not FIN, when we close: 10,000 connections must not leave 10,000 client ports in TIME_WAIT.
            LingerState = new LingerOption(true, 0),
        };
        await socket.ConnectAsync(address.Host, address.Port, cancellationToken);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var sending = SendIgnoringCloseAsync(stream, [.. input, .. Frame.Bytes(Ping, 0, 0, Sentinel)], cancellationToken);
        var outcome = await new Reader(stream, finished).ReadAsync(cancellationToken);
        await sending;
        return (outcome, input);
    }

    private static async Task SendIgnoringCloseAsync(NetworkStream stream, byte[] bytes, CancellationToken cancellationToken)
    {
        try
        {
            await stream.WriteAsync(bytes, cancellationToken);
        }
        catch (IOException)
        {
            // The server closed the connection part way: an answer to a protocol error, read by the reader.
        }
    }

    private static List<(string, string)> RequestHeaders(string method, string path, string authority, bool grpc)
    {
        var fields = new List<(string, string)> { (":method", method), (":scheme", "http"), (":authority", authority), (":path", path) };
        if (grpc)
        {
            fields.Add(("content-type", "application/grpc"));
            fields.Add(("te", "trailers"));
        }

        return fields;
    }

    private static void Mutate(List<Frame> frames, Random random, string authority)
    {
        if (frames.Count == 0)
        {
            frames.Add(ControlFrame(random));
            return;
        }

        var at = random.Next(frames.Count);
        var frame = frames[at];
        switch (random.Next(16))
        {
            case 0:
                frames[at] = frame with { Type = (byte)random.Next(256) };
                break;
            case 1:
                frames[at] = frame with { Flags = (byte)random.Next(256) };
                break;
            case 2:
                int[] streams = [0, 2, 3, 0x7FFFFFFF, unchecked((int)0x80000001), frame.Stream + 100];
                frames[at] = frame with { Stream = streams[random.Next(streams.Length)] };
                break;
            case 3:
                frames[at] = frame with { Payload = Mutator.Mutate(frame.Payload, random) };
                break;
            case 4:   // a length that lies: longer (the server waits or reads into the next frame), shorter, over 16 KiB
                int[] lengths = [frame.Payload.Length + random.Next(1, 64), Math.Max(0, frame.Payload.Length - random.Next(1, 8)), 16_385, 0xFFFFFF];
                frames[at] = frame with { DeclaredLength = lengths[random.Next(lengths.Length)] };
                break;
            case 5:
                frames.Insert(random.Next(frames.Count + 1), ControlFrame(random));
                break;
            case 6:   // the header block of a request split into CONTINUATION frames, or a flood of them
                SplitHeaders(frames, random);
                break;
            case 7:   // padding, often longer than the frame
                if (frame.Type is Data or Headers)
                {
                    var padLength = (byte)random.Next(256);
                    byte[] padded = [padLength, .. frame.Payload, .. new byte[Math.Min(padLength, random.Next(256))]];
                    frames[at] = frame with { Flags = (byte)(frame.Flags | Padded), Payload = padded };
                }

                break;
            case 8:   // rapid reset: streams opened and cancelled at once, up to well past the concurrent-stream limit
                for (int count = random.Next(1, 400), stream = 101; count > 0; count--, stream += 2)
                {
                    frames.Add(new(Headers, EndHeaders, stream, Hpack.Encode(RequestHeaders("POST", "/Recommendations/Recommend", authority, grpc: true))));
                    frames.Add(new(RstStream, 0, stream, U32(8)));
                }

                break;
            case 9:   // more open streams than SETTINGS_MAX_CONCURRENT_STREAMS (100)
                for (int count = random.Next(90, 160), stream = 101; count > 0; count--, stream += 2)
                {
                    frames.Add(new(Headers, EndHeaders, stream, Hpack.Encode(RequestHeaders("POST", "/Recommendations/Recommend", authority, grpc: true))));
                }

                break;
            case 10:
                frames.RemoveAt(at);
                break;
            case 11:
                frames.Insert(random.Next(frames.Count + 1), frame);
                break;
            case 12:   // a header list that is not a valid request
                if (frame.Type == Headers)
                {
                    frames[at] = frame with { Payload = Hpack.Encode(BrokenHeaderList(random, authority)) };
                }

                break;
            case 13:   // HPACK that does not decode
                if (frame.Type == Headers)
                {
                    frames[at] = frame with { Payload = [.. frame.Payload, .. BrokenHpack(random)] };
                }

                break;
            case 14:   // more DATA than the 64 KiB initial flow-control window, with no WINDOW_UPDATE from the server
                if (frame.Type == Data)
                {
                    frames.RemoveAt(at);
                    for (var i = 0; i < 5; i++)
                    {
                        frames.Insert(at + i, new(Data, i == 4 ? EndStream : (byte)0, frame.Stream, new byte[16_384]));
                    }
                }

                break;
            default:
                (frames[at], frames[^1]) = (frames[^1], frames[at]);
                break;
        }
    }

    private static Frame ControlFrame(Random random) => random.Next(14) switch
    {
        0 => new(Settings, 0, 0, SettingsPayload(((ushort)random.Next(0, 10), Mutator.InterestingWord(random)))),
        1 => new(Settings, 0, 0, Mutator.RandomBytes(random, 13)),                       // not a multiple of 6
        2 => new(Settings, Ack, 0, SettingsPayload((4, 1))),                          // an ACK with a payload
        3 => new(Settings, 0, random.Next(1, 4), SettingsPayload((2, 2))),            // on a stream; ENABLE_PUSH=2
        4 => new(Ping, 0, 0, Mutator.RandomBytes(random, 12)),                        // not 8 bytes
        5 => new(Ping, 0, 1, new byte[8]),                                            // on a stream
        6 => new(WindowUpdate, 0, random.Next(2), U32(0)),                            // an increment of 0
        7 => new(WindowUpdate, 0, random.Next(2), U32(0x7FFFFFFF)),                   // overflows the window
        8 => new(RstStream, 0, random.Next(0, 8), U32((uint)random.Next(20))),        // on an idle or closed stream
        9 => new(Priority, 0, 1, [0x00, 0x00, 0x00, 0x01, 0x10]),                     // depends on itself
        10 => new(PushPromise, EndHeaders, 1, [0x00, 0x00, 0x00, 0x02]),              // clients may not push
        11 => new(GoAway, 0, random.Next(2), [.. U32((uint)random.Next(10)), .. U32((uint)random.Next(20))]),
        12 => new(Continuation, EndHeaders, random.Next(1, 4), Mutator.RandomBytes(random, 16)),   // with no HEADERS before it
        _ => new((byte)random.Next(10, 256), (byte)random.Next(256), random.Next(4), Mutator.RandomBytes(random, 32)),   // unknown: to be ignored
    };

    private static void SplitHeaders(List<Frame> frames, Random random)
    {
        var at = frames.FindIndex(f => f.Type == Headers);
        if (at < 0)
        {
            return;
        }

        var headers = frames[at];
        var block = headers.Payload;
        if (random.Next(3) == 0)
        {
            // A flood: thousands of CONTINUATION frames, sometimes never ending the header block.
            block = [.. block, .. Hpack.Encode(Enumerable.Range(0, random.Next(100, 3000)).Select(i => ($"x-flood-{i}", "flood")))];
        }

        var pieces = block.Chunk(random.Next(1, 64)).ToList();
        var endless = random.Next(4) == 0;
        frames[at] = headers with { Flags = (byte)(headers.Flags & ~EndHeaders), Payload = pieces[0] };
        for (var i = 1; i < pieces.Count; i++)
        {
            var last = i == pieces.Count - 1 && !endless;
            frames.Insert(at + i, new(Continuation, last ? EndHeaders : (byte)0, headers.Stream, pieces[i]));
        }
    }

    private static List<(string, string)> BrokenHeaderList(Random random, string authority)
    {
        var fields = RequestHeaders("POST", "/Recommendations/Recommend", authority, grpc: true);
        switch (random.Next(10))
        {
            case 0:
                fields.RemoveAt(random.Next(4));                                    // a pseudo-header missing
                break;
            case 1:
                fields.Add((":method", "GET"));                                     // a pseudo-header twice, after a regular one
                break;
            case 2:
                fields.Insert(0, ("Content-Type", "application/grpc"));            // upper case
                break;
            case 3:
                fields.Add(("connection", "keep-alive"));                           // connection-specific: not allowed in HTTP/2
                break;
            case 4:
                fields.Add(("te", "gzip"));
                break;
            case 5:
                fields[3] = (":path", random.Next(3) switch { 0 => "", 1 => "*", _ => "no-slash" });
                break;
            case 6:
                fields.Add(("content-length", random.Next(2) == 0 ? "-1" : "99999999999999999999"));
                break;
            case 7:
                fields.Add(("x-long", new string('a', random.Next(8_000, 70_000))));
                break;
            case 8:
                fields.Add((":unknown", "x"));
                break;
            default:
                fields.Add(("x-bad\u0001name", "value\r\nInjected: yes"));
                break;
        }

        return fields;
    }

    private static byte[] BrokenHpack(Random random) => random.Next(7) switch
    {
        0 => [0x80],                                             // index 0
        1 => [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F],               // an index past 2^28
        2 => [0xC6],                                             // index 70: not in an empty dynamic table
        3 => [0x00, 0x81, 0xFF, 0x01, 0x61],                     // a Huffman name that ends in EOS
        4 => [0x3F, 0xE1, 0x1F],                                 // a table size update over the SETTINGS limit, after a field
        5 => [0x00, 0x7F, 0xFF, 0xFF, 0x03],                     // a string length far past the block
        _ => Mutator.RandomBytes(random, 24),
    };

    private static byte[] SettingsPayload(params (ushort Id, uint Value)[] settings)
    {
        var payload = new byte[6 * settings.Length];
        for (var i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(6 * i), settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan((6 * i) + 2), settings[i].Value);
        }

        return payload;
    }

    private static byte[] U32(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] Serialize(List<Frame> frames) => [.. frames.SelectMany(f => f.ToBytes())];

    private sealed record Frame(byte Type, byte Flags, int Stream, byte[] Payload)
    {
        public int? DeclaredLength { get; init; }

        public static byte[] Bytes(byte type, byte flags, int stream, byte[] payload) => new Frame(type, flags, stream, payload).ToBytes();

        public byte[] ToBytes()
        {
            var bytes = new byte[9 + Payload.Length];
            var length = DeclaredLength ?? Payload.Length;
            bytes[0] = (byte)(length >> 16);
            bytes[1] = (byte)(length >> 8);
            bytes[2] = (byte)length;
            bytes[3] = Type;
            bytes[4] = Flags;
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(5), Stream);
            Payload.CopyTo(bytes, 9);
            return bytes;
        }
    }

    /// <summary>
    /// Reads the server's frames until it closes the connection or sends GOAWAY, or until it has acknowledged the
    /// sentinel PING and answered every stream the client finished. A second of silence before the PING's ACK is the
    /// server waiting for bytes a lying length promised (correct); 15 s without an answer after it is a dropped request.
    /// </summary>
    private sealed class Reader(NetworkStream stream, HashSet<int> finished)
    {
        // Before the sentinel PING is acknowledged, silence means the server waits for bytes the input promised; after
        // it, only the app's answer to a finished stream is still due, which may take longer on a loaded machine.
        private static readonly TimeSpan Silence = TimeSpan.FromSeconds(1);
        private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);

        private readonly Hpack _hpack = new();
        private readonly Dictionary<int, string> _answers = [];
        private readonly List<byte> _block = [];
        private byte[] _buffer = new byte[64 * 1024];
        private int _filled;
        private string? _failure;
        private string? _goAway;
        private bool _pingAcknowledged;

        public async Task<FuzzOutcome> ReadAsync(CancellationToken cancellationToken)
        {
            var end = "silence";
            while (true)
            {
                if (_goAway is null && _pingAcknowledged && finished.All(_answers.ContainsKey))
                {
                    end = "answered";
                    break;
                }

                var frame = await NextFrameAsync(cancellationToken);
                if (frame is null)
                {
                    end = _filled > 0 ? "closed mid-frame" : "closed";
                    break;
                }

                if (frame.Value.Type == -1)
                {
                    break;   // silence
                }

                Handle(frame.Value.Type, frame.Value.Flags, frame.Value.Stream, _buffer.AsSpan(9, frame.Value.Length));
                Consume(9 + frame.Value.Length);
            }

            var label = _goAway is not null ? $"goaway {_goAway}"
                : _answers.Count > 0 ? string.Join(", ", _answers.OrderBy(a => a.Key).Select(a => a.Value).Distinct())
                : end;
            if (end == "silence" && _pingAcknowledged && !finished.All(_answers.ContainsKey))
            {
                // Every frame was read (the PING was answered), a finished request was not: the server dropped it.
                return FuzzOutcome.Fail($"{label}; unanswered", $"streams {string.Join(",", finished.Where(s => !_answers.ContainsKey(s)))} got no answer");
            }

            return _failure is not null ? FuzzOutcome.Fail(label, _failure) : new(label);
        }

        private void Handle(int type, int flags, int streamId, ReadOnlySpan<byte> payload)
        {
            switch (type)
            {
                case Headers:
                case Continuation:
                    var (start, end) = (0, payload.Length);
                    if (type == Headers && (flags & Padded) != 0)
                    {
                        (start, end) = (1, payload.Length - payload[0]);
                    }

                    if (type == Headers && (flags & PriorityFlag) != 0)
                    {
                        start += 5;
                    }

                    var fragment = payload[start..end];
                    _block.AddRange(fragment);
                    if ((flags & EndHeaders) != 0)
                    {
                        try
                        {
                            Judge(streamId, _hpack.Decode([.. _block]));
                        }
                        catch (FormatException)
                        {
                            // HPACK this reader cannot follow (e.g. after a fuzzed table size): the stream is answered.
                            _answers[streamId] = "headers (not decoded)";
                        }

                        _block.Clear();
                    }

                    break;
                case RstStream:
                    _answers.TryAdd(streamId, $"rst {Error(payload)}");
                    break;
                case GoAway:
                    _goAway = Error(payload[4..]);
                    break;
                case Ping when (flags & Ack) != 0 && payload.SequenceEqual(Sentinel):
                    _pingAcknowledged = true;
                    break;
            }
        }

        private void Judge(int streamId, List<(string Name, string Value)> fields)
        {
            var status = fields.FirstOrDefault(f => f.Name == ":status").Value;
            var grpcStatus = fields.FirstOrDefault(f => f.Name == "grpc-status").Value;
            if (status is not null && status.Length == 3 && status[0] >= '5')
            {
                _failure ??= $"stream {streamId}: HTTP {status}";
            }

            if (grpcStatus == "2")
            {
                _failure ??= $"stream {streamId}: grpc-status UNKNOWN {fields.FirstOrDefault(f => f.Name == "grpc-message").Value}";
            }

            if (status is not null || grpcStatus is not null)
            {
                var answer = status is not null ? $"http {status}" : "";
                answer += grpcStatus is not null ? $"{(answer.Length > 0 ? " " : "")}grpc-status {grpcStatus}" : "";
                _answers[streamId] = _answers.TryGetValue(streamId, out var earlier) && earlier.StartsWith("http", StringComparison.Ordinal) && status is null
                    ? $"{earlier} grpc-status {grpcStatus}"
                    : answer;
            }
        }

        private static string Error(ReadOnlySpan<byte> payload) =>
            payload.Length < 4 ? "(short)" : BinaryPrimitives.ReadUInt32BigEndian(payload) is var code && code < ErrorCodes.Length ? ErrorCodes[code] : $"0x{code:x}";

        /// <summary>The next whole frame in the buffer: null when the connection closed, type -1 after the silence.</summary>
        private async Task<(int Type, int Flags, int Stream, int Length)?> NextFrameAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                if (_filled >= 9)
                {
                    var length = (_buffer[0] << 16) | (_buffer[1] << 8) | _buffer[2];
                    if (length > _buffer.Length - 9)
                    {
                        Array.Resize(ref _buffer, 9 + length);   // a fuzzed SETTINGS_MAX_FRAME_SIZE allows up to 16 MiB
                    }

                    if (_filled >= 9 + length)
                    {
                        return (_buffer[3], _buffer[4], BinaryPrimitives.ReadInt32BigEndian(_buffer.AsSpan(5)) & 0x7FFFFFFF, length);
                    }
                }

                using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                silence.CancelAfter(_pingAcknowledged ? AnswerTimeout : Silence);
                int read;
                try
                {
                    read = await stream.ReadAsync(_buffer.AsMemory(_filled), silence.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return (-1, 0, 0, 0);
                }
                catch (IOException)
                {
                    return null;   // reset by the server
                }

                if (read == 0)
                {
                    return null;
                }

                _filled += read;
            }
        }

        private void Consume(int count)
        {
            Buffer.BlockCopy(_buffer, count, _buffer, 0, _filled - count);
            _filled -= count;
        }
    }
}
