namespace Bookstore.Hosting;

/// <summary>The app model is wrong, or the app could not start: the message says what and where.</summary>
public sealed class DistributedApplicationException(string message, Exception? inner = null) : Exception(message, inner);
