using Grpc.Core;

namespace Bookstore.Recommendations.Recommending;

/// <summary>
/// An error the caller can act on. It carries the gRPC status it maps to; its message goes to the client as is,
/// so it must say what was wrong and never reveal internals.
/// </summary>
public abstract class DomainException(StatusCode statusCode, string message) : Exception(message)
{
    public StatusCode StatusCode { get; } = statusCode;
}

public sealed class CategoryNotFoundException() : DomainException(StatusCode.NotFound, "Category not found");

public sealed class BookNotFoundException(int bookId) : DomainException(StatusCode.NotFound, $"Book {bookId} not found");

public sealed class InvalidRequestException(string message) : DomainException(StatusCode.InvalidArgument, message);
