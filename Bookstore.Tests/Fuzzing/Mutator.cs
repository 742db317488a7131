using System.Text;

namespace Bookstore.Tests.Fuzzing;

/// <summary>
/// Byte-level mutations in the manner of AFL's havoc stage (bit flips, interesting values, inserted, deleted, duplicated
/// and truncated runs), driven by the caller's seeded <see cref="Random"/> so that a seed and index replay an input.
/// </summary>
public static class Mutator
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'%', (byte)'\r', (byte)'\n', (byte)':', (byte)'"', (byte)'\\', (byte)'&', (byte)'='];

    private static readonly uint[] InterestingWords = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x3FFF, 0x4000, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF];

    /// <summary>One to eight stacked mutations of <paramref name="input"/>.</summary>
    public static byte[] Mutate(ReadOnlySpan<byte> input, Random random)
    {
        var bytes = new List<byte>(input.ToArray());
        var rounds = 1 << random.Next(4);
        for (var round = 0; round < rounds; round++)
        {
            MutateOnce(bytes, random);
        }

        return [.. bytes];
    }

    public static byte[] RandomBytes(Random random, int maxLength)
    {
        var bytes = new byte[random.Next(maxLength + 1)];
        random.NextBytes(bytes);
        return bytes;
    }

    public static uint InterestingWord(Random random) => InterestingWords[random.Next(InterestingWords.Length)];

    /// <summary>Text that a parser may trip over: control characters, invalid UTF-8, long runs, format characters.</summary>
    public static string AwkwardText(Random random) => random.Next(8) switch
    {
        0 => string.Empty,
        1 => new string('a', random.Next(1, 20_000)),
        2 => "\u0000\u0001\u001f\u007f",
        3 => "%zz%%%F0%28%8C%BC%00",
        4 => "\ud800",                      // a lone surrogate: not valid UTF-16, let alone UTF-8
        5 => "ünïcødé 書 📚 \u202e",
        6 => random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => Encoding.Latin1.GetString(RandomBytes(random, 64)),
    };

    private static void MutateOnce(List<byte> bytes, Random random)
    {
        if (bytes.Count == 0)
        {
            bytes.AddRange(RandomBytes(random, 16));
            return;
        }

        var at = random.Next(bytes.Count);
        switch (random.Next(9))
        {
            case 0:
                bytes[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                bytes[at] = InterestingBytes[random.Next(InterestingBytes.Length)];
                break;
            case 2:
                bytes[at] = (byte)random.Next(256);
                break;
            case 3:
                bytes.RemoveRange(at, random.Next(1, Math.Min(bytes.Count - at, 16) + 1));
                break;
            case 4:
                bytes.InsertRange(at, RandomBytes(random, 16));
                break;
            case 5:
                var length = random.Next(1, Math.Min(bytes.Count - at, 32) + 1);
                bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                break;
            case 6:
                bytes.RemoveRange(at, bytes.Count - at);   // truncated
                break;
            case 7:
                var word = BitConverter.GetBytes(InterestingWord(random));
                if (random.Next(2) == 0)
                {
                    Array.Reverse(word);
                }

                for (var i = 0; i < word.Length && at + i < bytes.Count; i++)
                {
                    bytes[at + i] = word[i];
                }

                break;
            default:
                bytes.InsertRange(at, Enumerable.Repeat(InterestingBytes[random.Next(InterestingBytes.Length)], random.Next(1, 300)));
                break;
        }
    }
}
