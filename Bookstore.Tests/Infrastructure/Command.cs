using System.Diagnostics;

namespace Bookstore.Tests.Infrastructure;

/// <summary>Runs a command line tool to its end and returns its exit code and everything it printed.</summary>
public static class Command
{
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string fileName, string workingDirectory, IEnumerable<string> args, string? standardInput = null, IReadOnlyDictionary<string, string>? environment = null,
        Action<string>? onOutputLine = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var stdout = onOutputLine is null
            ? process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken)
            : ReadLinesAsync(process.StandardOutput, onOutputLine, TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            // A command that hangs (a test's timeout) is not left running after the test.
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    // Every line of standard output to the callback as it comes (a test that acts while the command runs), and all of it.
    private static async Task<string> ReadLinesAsync(StreamReader output, Action<string> onLine, CancellationToken cancellationToken)
    {
        var all = new System.Text.StringBuilder();
        while (await output.ReadLineAsync(cancellationToken) is { } line)
        {
            all.AppendLine(line);
            onLine(line);
        }

        return all.ToString();
    }

    /// <summary>The AppHost's build output, run with <paramref name="args"/> (Aspire's publishing options).</summary>
    public static Task<(int ExitCode, string Output)> AppHostAsync(params string[] args) =>
        RunAsync(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", RepoPaths.ProjectDirectory("Bookstore.AppHost"),
            [RepoPaths.ServiceAssembly("Bookstore.AppHost"), .. args]);

    /// <summary>Bookstore.Recommendations' build output as a command (e.g. <c>migrate</c>), in Production, with <paramref name="environment"/>.</summary>
    public static Task<(int ExitCode, string Output)> RecommendationsAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        RecommendationsAsync(environment, onOutputLine: null, args);

    /// <summary>The same, with each line of its standard output to <paramref name="onOutputLine"/> as it comes.</summary>
    public static Task<(int ExitCode, string Output)> RecommendationsAsync(IReadOnlyDictionary<string, string> environment, Action<string>? onOutputLine, params string[] args) =>
        RunAsync(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", RepoPaths.ProjectDirectory("Bookstore.Recommendations"),
            [RepoPaths.ServiceAssembly("Bookstore.Recommendations"), .. args], environment: new Dictionary<string, string>(environment) { ["ASPNETCORE_ENVIRONMENT"] = "Production" },
            onOutputLine: onOutputLine);

    /// <summary>Bookstore.DeploymentGenerator's build output: Aspire manifest in, Kustomize and Compose files out.</summary>
    public static Task<(int ExitCode, string Output)> DeploymentGeneratorAsync(string manifest, string outputDirectory) =>
        RunAsync(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", RepoPaths.Root,
            [RepoPaths.ServiceAssembly("Bookstore.DeploymentGenerator"), manifest, outputDirectory]);

    /// <summary>A script of scripts/ run by node (its npm packages come from scripts/test.sh's npm install).</summary>
    public static Task<(int ExitCode, string Output)> NodeScriptAsync(string script, IEnumerable<string> args, string? standardInput = null) =>
        RunAsync("node", RepoPaths.Root, [Path.Combine(RepoPaths.Root, "scripts", script), .. args], standardInput);

    public static string SharedSchema(string name) => Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "schemas", name));

    /// <summary>Every process id in /proc now.</summary>
    public static IEnumerable<int> ProcessIds() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Select(name => int.TryParse(name, out var pid) ? pid : 0).Where(pid => pid > 0);

    /// <summary>A process's command line with spaces between the arguments, or "" once it is gone.</summary>
    public static string CommandLine(int processId)
    {
        try
        {
            return File.ReadAllText($"/proc/{processId}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>The environment a process was started with, or empty once it is gone.</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentOf(int processId)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var variable in File.ReadAllText($"/proc/{processId}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries))
            {
                if (variable.Split('=', 2) is [var name, var value])
                {
                    environment[name] = value;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            environment.Clear();   // gone meanwhile
        }

        return environment;
    }

    /// <summary>The process and all its descendants (children of every thread, recursively).</summary>
    public static IEnumerable<int> WithDescendants(int processId)
    {
        yield return processId;
        IEnumerable<int> children;
        try
        {
            children = [.. Directory.GetDirectories($"/proc/{processId}/task")
                .SelectMany(task => File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(int.Parse)];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            children = [];
        }

        foreach (var descendant in children.SelectMany(WithDescendants))
        {
            yield return descendant;
        }
    }
}
