namespace Bookstore.Hosting.Publishing;

public enum PublishKind
{
    /// <summary><c>--publisher manifest --output-path FILE</c>: the Aspire manifest, as Aspire's AppHost writes it.</summary>
    Manifest,

    /// <summary><c>generate --output-path DIR</c>: the manifest, then Kustomize and Compose files from it (Aspirate's job).</summary>
    Generate,
}

/// <summary>What the AppHost's arguments ask for instead of running the app.</summary>
internal sealed record PublishRequest(PublishKind Kind, string OutputPath)
{
    private const string Usage = "use --publisher manifest --output-path FILE, or generate --output-path DIR.";

    /// <summary>The request in <paramref name="args"/>, or null when the AppHost is to run the app.</summary>
    public static PublishRequest? Parse(string[] args)
    {
        var generate = args.Length > 0 && args[0] == "generate";
        var publisher = ValueOf(args, "--publisher");
        var outputPath = ValueOf(args, "--output-path");
        if (!generate && publisher is null && outputPath is null)
        {
            return null;
        }

        if (!generate && publisher != "manifest")
        {
            throw new DistributedApplicationException($"Unknown publisher '{publisher ?? "(none)"}': {Usage}");
        }

        return string.IsNullOrWhiteSpace(outputPath)
            ? throw new DistributedApplicationException($"--output-path is missing: {Usage}")
            : new PublishRequest(generate ? PublishKind.Generate : PublishKind.Manifest, outputPath);
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
            : throw new DistributedApplicationException($"{name} needs a value: {Usage}");
    }
}
