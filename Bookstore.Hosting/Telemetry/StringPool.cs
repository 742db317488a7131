using System.Runtime.InteropServices;

namespace Bookstore.Hosting.Telemetry;

/// <summary>
/// Shares the strings that repeat across telemetry (names, attribute keys and most values, resources): the store
/// keeps one copy of each instead of one per item. Bounded: past <see cref="MaxEntries"/> it starts over, and long
/// strings are never pooled. Not thread-safe: the store uses it under its lock.
/// </summary>
internal sealed class StringPool
{
    public const int MaxEntries = 100_000;
    public const int MaxPooledLength = 200;

    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);

    public string Get(string text)
    {
        if (text.Length == 0)
        {
            return string.Empty;
        }

        if (text.Length > MaxPooledLength)
        {
            return text;
        }

        if (_strings.Count >= MaxEntries && !_strings.ContainsKey(text))
        {
            _strings.Clear();
        }

        ref var pooled = ref CollectionsMarshal.GetValueRefOrAddDefault(_strings, text, out _);
        pooled ??= text;
        return pooled;
    }
}
