using System;

namespace AkCache.Internals.Serialization;

/// <summary>
/// A value that AkCache cannot store so that it comes back equal in every respect (docs/values.md).
/// The call still returns the value; it is not cached, and the method warns once with
/// <see cref="Exception.Message"/>, which names the member and the fix.
/// </summary>
internal sealed class NotFaithfulException : Exception
{
    public NotFaithfulException(string reason, string fix)
        : this(reason, fix, root: "", tail: "")
    {
    }

    private NotFaithfulException(string reason, string fix, string root, string tail)
        : base(root.Length == 0 ? reason + ". " + fix : root + tail + ": " + reason + ". " + fix)
    {
        Reason = reason;
        Fix = fix;
        Root = root;
        Tail = tail;
    }

    /// <summary>What is wrong, without the member path.</summary>
    public string Reason { get; }

    /// <summary>How to fix it.</summary>
    public string Fix { get; }

    /// <summary>Where, from the outermost value: "Portfolio.Holdings[].Coupon", or "" for the value itself.</summary>
    public string Path => Root + Tail;

    private string Root { get; }

    private string Tail { get; }

    /// <summary>The refusal inside <paramref name="exception"/>, which MessagePack wraps in its own exception; null if there is none.</summary>
    public static NotFaithfulException? Find(Exception exception)
    {
        for (var e = (Exception?)exception; e is not null; e = e.InnerException)
        {
            if (e is NotFaithfulException refusal)
            {
                return refusal;
            }
        }

        return null;
    }

    /// <summary>The same refusal, one member further out: <paramref name="owner"/>.<paramref name="member"/>.</summary>
    public NotFaithfulException Within(Type owner, string member) =>
        new(Reason, Fix, TypeDisplay.Short(owner), Shorten("." + member + Tail));

    /// <summary>The same refusal, inside an element (or a key, a value, a cell) of <paramref name="collection"/>.</summary>
    public NotFaithfulException WithinElement(Type collection) =>
        new(Reason, Fix, TypeDisplay.Short(collection), Shorten("[]" + Tail));

    /// <summary>The outermost steps of a deep path (a value that refers to itself has hundreds).</summary>
    private static string Shorten(string tail)
    {
        const int Longest = 160;
        if (tail.Length <= Longest)
        {
            return tail;
        }

        var cut = tail.LastIndexOfAny(new[] { '.', '[' }, Longest);
        return tail.Substring(0, cut > 0 ? cut : Longest) + "...";
    }
}

/// <summary>Type names for messages: C#-like and short (no namespaces), e.g. Dictionary&lt;string, Security&gt;.</summary>
internal static class TypeDisplay
{
    public static string Short(Type type)
    {
        if (type.IsArray)
        {
            return Short(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        if (Nullable.GetUnderlyingType(type) is Type inner)
        {
            return Short(inner) + "?";
        }

        var keyword = Keyword(type);
        if (keyword is not null)
        {
            return keyword;
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var name = type.Name;
        var tick = name.IndexOf('`');
        var arguments = type.GetGenericArguments();
        var parts = new string[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            parts[i] = Short(arguments[i]);
        }

        return (tick < 0 ? name : name.Substring(0, tick)) + "<" + string.Join(", ", parts) + ">";
    }

    private static string? Keyword(Type type) =>
        type == typeof(object) ? "object"
        : type == typeof(string) ? "string"
        : type == typeof(bool) ? "bool"
        : type == typeof(int) ? "int"
        : type == typeof(long) ? "long"
        : type == typeof(double) ? "double"
        : type == typeof(decimal) ? "decimal"
        : type == typeof(byte) ? "byte"
        : type == typeof(char) ? "char"
        : type == typeof(float) ? "float"
        : type == typeof(short) ? "short"
        : type == typeof(uint) ? "uint"
        : type == typeof(ulong) ? "ulong"
        : type == typeof(ushort) ? "ushort"
        : type == typeof(sbyte) ? "sbyte"
        : null;
}
