using System;
using System.Text;

namespace AkCache.Internals.Messaging;

internal enum InvalidationScope
{
    /// <summary>One stored result: <see cref="InvalidationMessage.Target"/> is its Redis key.</summary>
    Entry,

    /// <summary>Every result of one method, all versions: the target is the keys' common start, "prefix:Identity:".</summary>
    Method,

    /// <summary>Every result under the prefix.</summary>
    All,

    /// <summary>
    /// No invalidation: a process checking that its own subscription receives the channel (where the
    /// server has no tracking, the channel is all that keeps its local layer coherent). The target is
    /// that process's token; every other process ignores the message.
    /// </summary>
    Probe,
}

/// <summary>
/// What AkCache publishes on its invalidation channel when a user invalidates or clears, so that
/// every process drops the entries concerned from its local layer (Redis's own tracking tells of
/// deletions too, but not on servers without it, such as Garnet). The wire format, written and read
/// only here, is UTF-8 text: <c>akcache/1 entry KEY</c>, <c>akcache/1 method KEYSTART</c> or
/// <c>akcache/1 all</c>, and <c>akcache/1 probe TOKEN</c> (<see cref="InvalidationScope.Probe"/>). A message in any other form, or of another version, is not AkCache's
/// (or not this build's): it is ignored and counted, never acted upon.
/// </summary>
internal readonly struct InvalidationMessage
{
    private const string Header = "akcache/1 ";

    public InvalidationMessage(InvalidationScope scope, string target)
    {
        Scope = scope;
        Target = target;
    }

    public InvalidationScope Scope { get; }

    /// <summary>The Redis key (<see cref="InvalidationScope.Entry"/>), the keys' start (<see cref="InvalidationScope.Method"/>), or empty.</summary>
    public string Target { get; }

    public static InvalidationMessage ForEntry(string redisKey) => new(InvalidationScope.Entry, redisKey);

    public static InvalidationMessage ForMethod(string keyStart) => new(InvalidationScope.Method, keyStart);

    public static InvalidationMessage ForAll() => new(InvalidationScope.All, "");

    public static InvalidationMessage ForProbe(string token) => new(InvalidationScope.Probe, token);

    public byte[] ToBytes() => Encoding.UTF8.GetBytes(Scope switch
    {
        InvalidationScope.Entry => Header + "entry " + Target,
        InvalidationScope.Method => Header + "method " + Target,
        InvalidationScope.Probe => Header + "probe " + Target,
        _ => Header + "all",
    });

    /// <summary>Reads a message; false for anything that is not exactly one of the four forms.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out InvalidationMessage message)
    {
        message = default;
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray());
        }
        catch (ArgumentException)
        {
            return false;
        }

        if (!text.StartsWith(Header, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = text.Substring(Header.Length);
        if (rest == "all")
        {
            message = ForAll();
            return true;
        }

        if (TryTarget(rest, "entry ", out var key))
        {
            message = ForEntry(key);
            return true;
        }

        if (TryTarget(rest, "method ", out var start))
        {
            message = ForMethod(start);
            return true;
        }

        if (TryTarget(rest, "probe ", out var token))
        {
            message = ForProbe(token);
            return true;
        }

        return false;
    }

    private static bool TryTarget(string rest, string kind, out string target)
    {
        target = rest.StartsWith(kind, StringComparison.Ordinal) ? rest.Substring(kind.Length) : "";
        return target.Length > 0 && target.IndexOf('\n') < 0 && target.IndexOf('\r') < 0;
    }
}
