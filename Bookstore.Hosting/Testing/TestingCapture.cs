using System.Reflection;

namespace Bookstore.Hosting.Testing;

/// <summary>
/// Runs an AppHost's own entry point up to <c>builder.Build()</c> and takes the model it built, so that tests
/// run the very model the AppHost runs. Works through an AsyncLocal: only the test's own flow is affected.
/// </summary>
internal sealed class TestingCapture
{
    private static readonly AsyncLocal<TestingCapture?> Current = new();

    private DistributedApplicationBuilder? _builder;

    public static DistributedApplicationBuilder? CreateBuilder(string[] args)
    {
        if (Current.Value is not { _builder: null } capture)
        {
            return null;
        }

        capture._builder = new DistributedApplicationBuilder(new DistributedApplicationOptions
        {
            Args = args,
            IsTesting = true,
            StopTimeout = TimeSpan.FromSeconds(5),
            DashboardPort = null,
        });
        return capture._builder;
    }

    /// <summary>Called by Build(): while capturing, the entry point stops here.</summary>
    public static void HandOver(DistributedApplicationBuilder builder)
    {
        if (Current.Value is { } capture && capture._builder == builder)
        {
            throw new ModelCapturedException();
        }
    }

    public static DistributedApplicationBuilder Capture(Assembly appHost, string[] args)
    {
        var entryPoint = appHost.EntryPoint
            ?? throw new DistributedApplicationException($"{appHost.GetName().Name} has no entry point: is it the AppHost?");
        var capture = new TestingCapture();
        Current.Value = capture;
        try
        {
            var result = entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? [] : [args]);
            (result as Task)?.GetAwaiter().GetResult();
        }
        catch (Exception exception) when (IsCaptured(exception))
        {
            // The entry point built its model and stopped at Build(), as intended.
        }
        finally
        {
            Current.Value = null;
        }

        return capture._builder
            ?? throw new DistributedApplicationException(
                $"The entry point of {appHost.GetName().Name} returned without calling DistributedApplication.CreateBuilder(args) and Build().");
    }

    private static bool IsCaptured(Exception exception) =>
        exception is ModelCapturedException || (exception.InnerException is { } inner && IsCaptured(inner));

    private sealed class ModelCapturedException() : Exception("The testing builder took the model; the AppHost's entry point stops here.");
}
