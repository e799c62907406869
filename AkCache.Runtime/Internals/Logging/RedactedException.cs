using System;

namespace AkCache.Internals.Logging;

/// <summary>
/// What a log entry carries instead of an exception whose text quotes a secret (the Redis password
/// in a client library's message): the original's type, message, stack trace and inner exceptions
/// as text, the secret replaced by "*****". An exception whose text holds no secret is attached as
/// it is (<see cref="Scrub"/>).
/// </summary>
internal sealed class RedactedException : Exception
{
    private readonly string _text;
    private readonly string? _stackTrace;

    private RedactedException(Exception original, Func<string, string> scrub)
        : base(scrub(original.Message))
    {
        OriginalType = original.GetType().FullName ?? original.GetType().Name;
        _text = scrub(original.ToString());
        _stackTrace = original.StackTrace is { } trace ? scrub(trace) : null;
        HResult = original.HResult;
    }

    /// <summary>The full name of the exception's type as it was thrown.</summary>
    public string OriginalType { get; }

    /// <inheritdoc/>
    public override string? StackTrace => _stackTrace;

    /// <summary>The original's <see cref="Exception.ToString"/>, scrubbed.</summary>
    public override string ToString() => _text;

    /// <summary>
    /// <paramref name="exception"/> itself when <paramref name="scrub"/> changes nothing in its
    /// text; else a <see cref="RedactedException"/> of it.
    /// </summary>
    public static Exception? Scrub(Exception? exception, Func<string, string> scrub)
    {
        if (exception is null)
        {
            return null;
        }

        var text = exception.ToString();
        return string.Equals(scrub(text), text, StringComparison.Ordinal) ? exception : new RedactedException(exception, scrub);
    }
}
