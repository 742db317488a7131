using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Bookstore.Hosting.Telemetry;

/// <summary>
/// Attributes as the store keeps them: a plain array of pairs (a handful per item, so a lookup is a short scan),
/// far smaller than a dictionary per span or log record.
/// </summary>
public sealed class AttributeDictionary(KeyValuePair<string, string>[] pairs) : IReadOnlyDictionary<string, string>
{
    public static readonly AttributeDictionary Empty = new([]);

    public int Count => pairs.Length;

    public IEnumerable<string> Keys => pairs.Select(pair => pair.Key);

    public IEnumerable<string> Values => pairs.Select(pair => pair.Value);

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        foreach (var pair in pairs)
        {
            if (pair.Key == key)
            {
                value = pair.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
