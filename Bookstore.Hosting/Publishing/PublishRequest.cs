namespace Bookstore.Hosting.Publishing;

/// <summary><c>--publisher manifest --output-path FILE</c>, as Aspire's AppHost takes it.</summary>
internal sealed record PublishRequest(string Publisher, string OutputPath)
{
    public const string ManifestPublisher = "manifest";

    /// <summary>The request in <paramref name="args"/>, or null when the AppHost is to run the app.</summary>
    public static PublishRequest? Parse(string[] args)
    {
        var publisher = ValueOf(args, "--publisher");
        var outputPath = ValueOf(args, "--output-path");
        if (publisher is null && outputPath is null)
        {
            return null;
        }

        if (publisher != ManifestPublisher)
        {
            throw new DistributedApplicationException(
                $"Unknown publisher '{publisher ?? "(none)"}': use --publisher {ManifestPublisher} --output-path FILE.");
        }

        return string.IsNullOrWhiteSpace(outputPath)
            ? throw new DistributedApplicationException("--publisher manifest needs --output-path FILE (e.g. aspire-manifest.json).")
            : new PublishRequest(publisher, outputPath);
    }

    private static string? ValueOf(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        if (index < 0)
        {
            return null;
        }

        return index + 1 < args.Length && !args[index + 1].StartsWith("--", StringComparison.Ordinal)
            ? args[index + 1]
            : throw new DistributedApplicationException($"{name} needs a value.");
    }
}
