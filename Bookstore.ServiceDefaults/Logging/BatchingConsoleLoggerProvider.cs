using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Bookstore.ServiceDefaults.Logging;

/// <summary>
/// The console logger with the framework's own formatters and options (<c>Logging:Console</c>), but a cheaper queue:
/// lines are formatted on the logging thread, queued without a lock, and written by one thread in batches, one write
/// per batch. The framework's console logger takes a lock, wakes its writer and writes once per line; at one line per
/// gRPC call that cost Recommendations about 10 µs per call, most of it threads waiting on that lock.
/// Nothing is dropped unless <see cref="ConsoleLoggerOptions.QueueFullMode"/> says so: past
/// <see cref="ConsoleLoggerOptions.MaxQueueLength"/> lines a logging thread waits for the writer. Dispose writes what
/// is left. Lines at or above <see cref="ConsoleLoggerOptions.LogToStandardErrorThreshold"/> go to stderr. The options
/// are read once, at start (log levels still reload, through the logging filters).
/// </summary>
[ProviderAlias("Console")]
public sealed class BatchingConsoleLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private const int MaxBatchChars = 32 * 1024;

    private readonly ConsoleFormatter _formatter;
    private readonly LogLevel _stderrThreshold;
    private readonly int _maxQueueLength;
    private readonly bool _dropWhenFull;
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly Channel<(string Text, bool Error)> _queue =
        Channel.CreateUnbounded<(string, bool)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, Logger> _loggers = new();
    private readonly Thread _writer;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();
    private int _queued;
    private long _dropped;

    [ThreadStatic]
    private static StringWriter? _lineBuffer;

    public BatchingConsoleLoggerProvider(IOptions<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters)
        : this(options.Value, formatters, OpenStandard(Console.OpenStandardOutput()), OpenStandard(Console.OpenStandardError()))
    {
    }

    public BatchingConsoleLoggerProvider(ConsoleLoggerOptions options, IEnumerable<ConsoleFormatter> formatters, TextWriter stdout, TextWriter stderr)
    {
        var name = options.FormatterName ?? ConsoleFormatterNames.Simple;
        _formatter = formatters.FirstOrDefault(formatter => string.Equals(formatter.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"No console log formatter named '{name}' (Logging:Console:FormatterName); known: {string.Join(", ", formatters.Select(f => f.Name))}.");
        _stderrThreshold = options.LogToStandardErrorThreshold;
        _maxQueueLength = options.MaxQueueLength;
        _dropWhenFull = options.QueueFullMode == ConsoleLoggerQueueFullMode.DropWrite;
        _stdout = stdout;
        _stderr = stderr;
        _writer = new Thread(WriteQueuedLines) { IsBackground = true, Name = "Console logger" };
        _writer.Start();
    }

    /// <summary>Lines dropped because the queue was full and <c>QueueFullMode</c> is <c>DropWrite</c>.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, name => new Logger(name, this));

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <summary>Writes every queued line, then stops the writer.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _writer.Join(TimeSpan.FromSeconds(5));
    }

    private void Enqueue(string text, bool error)
    {
        if (Interlocked.Increment(ref _queued) > _maxQueueLength)
        {
            if (_dropWhenFull)
            {
                Interlocked.Decrement(ref _queued);
                Interlocked.Increment(ref _dropped);
                return;
            }

            // Back-pressure, as the framework's logger does in its default Wait mode: nothing is lost.
            var spin = new SpinWait();
            while (Volatile.Read(ref _queued) > _maxQueueLength && !_queue.Reader.Completion.IsCompleted)
            {
                spin.SpinOnce();
            }
        }

        if (!_queue.Writer.TryWrite((text, error)))
        {
            // Disposed: the writer is gone (or finishing), so write this late line directly, under the same lock.
            Interlocked.Decrement(ref _queued);
            var target = error ? _stderr : _stdout;
            lock (target)
            {
                target.Write(text);
                target.Flush();
            }
        }
    }

    private void WriteQueuedLines()
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            // Take what is queued now (up to a batch), then write it with one call per stream.
            while (stdout.Length + stderr.Length < MaxBatchChars && reader.TryRead(out var line))
            {
                Interlocked.Decrement(ref _queued);
                (line.Error ? stderr : stdout).Append(line.Text);
            }

            Flush(stdout, _stdout);
            Flush(stderr, _stderr);
        }
    }

    // Buffered, so that a batch leaves in one write; the writer thread flushes after each batch.
    private static StreamWriter OpenStandard(Stream stream) => new(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 64 * 1024);

    private static void Flush(StringBuilder batch, TextWriter target)
    {
        if (batch.Length == 0)
        {
            return;
        }

        try
        {
            lock (target)
            {
                foreach (var chunk in batch.GetChunks())
                {
                    target.Write(chunk.Span);
                }

                target.Flush();
            }
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException)
        {
            // The console is gone (closed pipe): there is nowhere left to write to, and the writer must not die.
        }

        batch.Clear();
    }

    private sealed class Logger(string category, BatchingConsoleLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var buffer = _lineBuffer ??= new StringWriter();
            var entry = new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter);
            provider._formatter.Write(in entry, provider._scopes, buffer);
            var text = buffer.GetStringBuilder();
            if (text.Length == 0)
            {
                return;
            }

            var line = text.ToString();
            text.Clear();
            if (text.Capacity > 4096)
            {
                text.Capacity = 1024; // one huge entry (a long stack trace) should not keep its buffer forever
            }

            provider.Enqueue(line, logLevel >= provider._stderrThreshold);
        }
    }
}
