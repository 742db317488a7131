namespace Bookstore.Hosting.ApplicationModel;

/// <summary>A .NET project the app model can run: generated as <c>Projects.{Name}</c> from the AppHost's ProjectReferences.</summary>
public interface IProjectMetadata
{
    string ProjectPath { get; }

    /// <summary>The build configuration the referencing project was built in; the project's output is looked up there.</summary>
    string Configuration { get; }
}
