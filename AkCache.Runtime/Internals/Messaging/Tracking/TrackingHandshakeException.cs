using System;

namespace AkCache.Internals.Messaging.Tracking;

/// <summary>What a failed connection attempt means for the next one.</summary>
internal enum TrackingFailureKind
{
    /// <summary>Try again after the reconnect delay: refused, timed out, LOADING...</summary>
    Transient,

    /// <summary>WRONGPASS, NOAUTH, NOPERM: try again, slowly, since an operator may fix the credentials or the ACL.</summary>
    Authentication,

    /// <summary>The server has no CLIENT TRACKING (or no RESP3): trying again would only repeat the answer.</summary>
    Unsupported,
}

/// <summary>A connection attempt that the server answered with an error, or did not answer in time.</summary>
internal sealed class TrackingHandshakeException : Exception
{
    public TrackingHandshakeException(TrackingFailureKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    public TrackingFailureKind Kind { get; }

    /// <summary>Sorts an error reply to HELLO or CLIENT TRACKING by what retrying can achieve.</summary>
    public static TrackingFailureKind Classify(string error)
    {
        if (StartsWith(error, "WRONGPASS") || StartsWith(error, "NOAUTH") || StartsWith(error, "NOPERM"))
        {
            return TrackingFailureKind.Authentication;
        }

        // Redis before 6 knows no HELLO; Garnet and other servers answer CLIENT TRACKING like this.
        return StartsWith(error, "NOPROTO") ||
               Contains(error, "unknown command") ||
               Contains(error, "unknown subcommand") ||
               Contains(error, "syntax error")
            ? TrackingFailureKind.Unsupported
            : TrackingFailureKind.Transient;
    }

    private static bool StartsWith(string text, string prefix) => text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);

    private static bool Contains(string text, string part) => text.IndexOf(part, StringComparison.OrdinalIgnoreCase) >= 0;
}
