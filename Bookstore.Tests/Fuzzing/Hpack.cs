using System.Text;

namespace Bookstore.Tests.Fuzzing;

/// <summary>
/// The part of HPACK (RFC 7541) the HTTP/2 fuzzer needs, written here because no package served to this project exposes
/// one (.NET's own encoder and decoder are internal to System.Net.Http), and because a fuzzer must also write header
/// blocks that an encoder library refuses to produce. Encoding: literal fields without indexing, never Huffman.
/// Decoding: indexed and literal fields with the dynamic table, size updates; a Huffman-coded string (Kestrel writes
/// none) is kept as "(huffman)", which is enough to read <c>:status</c> and <c>grpc-status</c>.
/// </summary>
public sealed class Hpack
{
    // RFC 7541, Appendix A.
    private static readonly (string Name, string Value)[] StaticTable =
    [
        (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"), (":path", "/index.html"),
        (":scheme", "http"), (":scheme", "https"), (":status", "200"), (":status", "204"), (":status", "206"),
        (":status", "304"), (":status", "400"), (":status", "404"), (":status", "500"), ("accept-charset", ""),
        ("accept-encoding", "gzip, deflate"), ("accept-language", ""), ("accept-ranges", ""), ("accept", ""),
        ("access-control-allow-origin", ""), ("age", ""), ("allow", ""), ("authorization", ""), ("cache-control", ""),
        ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
        ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""), ("date", ""), ("etag", ""),
        ("expect", ""), ("expires", ""), ("from", ""), ("host", ""), ("if-match", ""), ("if-modified-since", ""),
        ("if-none-match", ""), ("if-range", ""), ("if-unmodified-since", ""), ("last-modified", ""), ("link", ""),
        ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""), ("proxy-authorization", ""), ("range", ""),
        ("referer", ""), ("refresh", ""), ("retry-after", ""), ("server", ""), ("set-cookie", ""),
        ("strict-transport-security", ""), ("transfer-encoding", ""), ("user-agent", ""), ("vary", ""), ("via", ""),
        ("www-authenticate", ""),
    ];

    private readonly List<(string Name, string Value)> _dynamic = [];
    private int _size;
    private int _maxSize = 4096;

    /// <summary>Header fields as literals without indexing (names are sent as given, upper case and all).</summary>
    public static byte[] Encode(IEnumerable<(string Name, string Value)> fields)
    {
        var block = new List<byte>();
        foreach (var (name, value) in fields)
        {
            block.Add(0x00);
            WriteString(block, name);
            WriteString(block, value);
        }

        return [.. block];
    }

    public static void WriteInteger(List<byte> output, byte first, int prefixBits, int value)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            output.Add((byte)(first | value));
            return;
        }

        output.Add((byte)(first | max));
        for (value -= max; value >= 0x80; value >>= 7)
        {
            output.Add((byte)((value & 0x7F) | 0x80));
        }

        output.Add((byte)value);
    }

    /// <summary>Decodes a response's header block; throws <see cref="FormatException"/> when it is not HPACK.</summary>
    public List<(string Name, string Value)> Decode(ReadOnlySpan<byte> block)
    {
        var fields = new List<(string, string)>();
        var at = 0;
        while (at < block.Length)
        {
            var first = block[at];
            if ((first & 0x80) != 0)
            {
                fields.Add(Lookup(ReadInteger(block, ref at, 7)));
            }
            else if ((first & 0xC0) == 0x40)
            {
                var field = ReadLiteral(block, ref at, 6);
                fields.Add(field);
                Add(field);
            }
            else if ((first & 0xE0) == 0x20)
            {
                _maxSize = ReadInteger(block, ref at, 5);
                Evict();
            }
            else
            {
                fields.Add(ReadLiteral(block, ref at, 4));
            }
        }

        return fields;
    }

    private static void WriteString(List<byte> output, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteInteger(output, 0x00, 7, bytes.Length);
        output.AddRange(bytes);
    }

    private static int ReadInteger(ReadOnlySpan<byte> block, ref int at, int prefixBits)
    {
        var max = (1 << prefixBits) - 1;
        var value = block[at++] & max;
        if (value < max)
        {
            return value;
        }

        for (var shift = 0; ; shift += 7)
        {
            if (at >= block.Length || shift > 28)
            {
                throw new FormatException("An HPACK integer is truncated or too large.");
            }

            var next = block[at++];
            value += (next & 0x7F) << shift;
            if ((next & 0x80) == 0)
            {
                return value;
            }
        }
    }

    private (string, string) ReadLiteral(ReadOnlySpan<byte> block, ref int at, int prefixBits)
    {
        var index = ReadInteger(block, ref at, prefixBits);
        var name = index == 0 ? ReadString(block, ref at) : Lookup(index).Name;
        return (name, ReadString(block, ref at));
    }

    private static string ReadString(ReadOnlySpan<byte> block, ref int at)
    {
        if (at >= block.Length)
        {
            throw new FormatException("An HPACK string is missing.");
        }

        var huffman = (block[at] & 0x80) != 0;
        var length = ReadInteger(block, ref at, 7);
        if (length > block.Length - at)
        {
            throw new FormatException("An HPACK string runs past the block.");
        }

        var text = huffman ? "(huffman)" : Encoding.Latin1.GetString(block.Slice(at, length));
        at += length;
        return text;
    }

    private (string Name, string Value) Lookup(int index)
    {
        if (index >= 1 && index <= StaticTable.Length)
        {
            return StaticTable[index - 1];
        }

        var dynamicIndex = index - StaticTable.Length - 1;
        return dynamicIndex >= 0 && dynamicIndex < _dynamic.Count
            ? _dynamic[dynamicIndex]
            : throw new FormatException($"HPACK index {index} is not in the table.");
    }

    private void Add((string Name, string Value) field)
    {
        _dynamic.Insert(0, field);
        _size += 32 + field.Name.Length + field.Value.Length;
        Evict();
    }

    private void Evict()
    {
        while (_size > _maxSize && _dynamic.Count > 0)
        {
            var last = _dynamic[^1];
            _dynamic.RemoveAt(_dynamic.Count - 1);
            _size -= 32 + last.Name.Length + last.Value.Length;
        }
    }
}
