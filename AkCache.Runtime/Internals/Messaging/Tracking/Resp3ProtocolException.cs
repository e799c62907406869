using System;

namespace AkCache.Internals.Messaging.Tracking;

/// <summary>
/// The bytes received are not RESP3: framing is lost, so nothing after them can be trusted and the
/// connection has to be dropped. A well-framed but unexpected frame is not this.
/// </summary>
internal sealed class Resp3ProtocolException : Exception
{
    public Resp3ProtocolException(string message)
        : base(message)
    {
    }
}
