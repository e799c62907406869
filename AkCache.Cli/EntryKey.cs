using System;

namespace AkCache.Cli;

/// <summary>What a Redis key under AkCache's prefix is (docs/keys.md): a value, or the lock, awaited mark or staged bytes of one.</summary>
internal enum EntryKind
{
    Value,
    Lock,
    Awaited,
    Staged,
}

/// <summary>
/// One key of AkCache's layout, <c>{prefix}:{method identity}:{format}.{method version}:{{hash}}</c>,
/// with the suffix of a lock (<c>:lock</c>), an awaited mark (<c>:awaited</c>) or staged bytes
/// (<c>:staged:TOKEN</c>); <see cref="TryParse"/> refuses any other key.
/// </summary>
internal sealed class EntryKey
{
    private EntryKey(string key, string method, string version, string hash, EntryKind kind)
    {
        Key = key;
        Method = method;
        Version = version;
        Hash = hash;
        Kind = kind;
    }

    public string Key { get; }

    /// <summary>The method's identity, as in the key: <c>Namespace.Type.Method(ParameterTypes)</c>.</summary>
    public string Method { get; }

    /// <summary>The format and method version: <c>v2.9f3c21ab</c>.</summary>
    public string Version { get; }

    /// <summary>The argument hash, without its braces.</summary>
    public string Hash { get; }

    public EntryKind Kind { get; }

    public static bool TryParse(string key, string prefix, out EntryKey entry)
    {
        entry = null!;
        var start = prefix.Length + 1;
        if (key.Length <= start || !key.StartsWith(prefix, StringComparison.Ordinal) || key[prefix.Length] != ':')
        {
            return false;
        }

        // The hash tag: the last '{', followed by hex digits and '}'.
        var open = key.LastIndexOf(":{", StringComparison.Ordinal);
        var close = open < 0 ? -1 : key.IndexOf('}', open);
        if (open <= start || close < 0)
        {
            return false;
        }

        var rest = key.Substring(close + 1);
        EntryKind kind;
        if (rest.Length == 0)
        {
            kind = EntryKind.Value;
        }
        else if (rest == ":lock")
        {
            kind = EntryKind.Lock;
        }
        else if (rest == ":awaited")
        {
            kind = EntryKind.Awaited;
        }
        else if (rest.StartsWith(":staged:", StringComparison.Ordinal))
        {
            kind = EntryKind.Staged;
        }
        else
        {
            return false;
        }

        var versionAt = key.LastIndexOf(':', open - 1);
        if (versionAt <= start)
        {
            return false;
        }

        entry = new EntryKey(
            key,
            key.Substring(start, versionAt - start),
            key.Substring(versionAt + 1, open - versionAt - 1),
            key.Substring(open + 2, close - open - 2),
            kind);
        return true;
    }
}
