namespace Bookstore.Hosting.Orchestration;

public sealed record LogLine(DateTimeOffset Timestamp, string Text, bool IsError);

/// <summary>The last lines a process printed, bounded: the oldest go first.</summary>
public sealed class LogBuffer(int capacity = 10_000)
{
    private readonly Queue<LogLine> _lines = new();
    private long _total;

    /// <summary>How many lines were ever added, evicted ones included: changes whenever a line arrives.</summary>
    public long Total
    {
        get
        {
            lock (_lines)
            {
                return _total;
            }
        }
    }

    public void Add(string text, bool isError)
    {
        lock (_lines)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(new LogLine(DateTimeOffset.UtcNow, text, isError));
            _total++;
        }
    }

    public IReadOnlyList<LogLine> Snapshot()
    {
        lock (_lines)
        {
            return [.. _lines];
        }
    }

    public IReadOnlyList<LogLine> Last(int count)
    {
        lock (_lines)
        {
            return [.. _lines.Skip(Math.Max(0, _lines.Count - count))];
        }
    }
}
