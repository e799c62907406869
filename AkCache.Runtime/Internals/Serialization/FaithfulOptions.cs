using MessagePack;

namespace AkCache.Internals.Serialization;

/// <summary>
/// MessagePack options whose resolver is <see cref="FaithfulResolver"/>. The same formatters write
/// stored values and the object arguments of keys; <see cref="ForKeys"/> tells them which. A key
/// only has to tell values apart, so it may name a runtime type (a subclass in a base-typed member,
/// a value in an <c>object</c> member); a stored value is read back by a process that must never
/// take a type name from the payload, so there such values are refused instead.
/// </summary>
internal sealed class FaithfulOptions : MessagePackSerializerOptions
{
    /// <summary>For stored values: hardened for untrusted data.</summary>
    public static readonly MessagePackSerializerOptions Values =
        new FaithfulOptions(forKeys: false).WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>For the canonical form of object arguments; never used to read.</summary>
    public static readonly MessagePackSerializerOptions Keys = new FaithfulOptions(forKeys: true);

    private FaithfulOptions(bool forKeys)
        : base(FaithfulResolver.Instance)
    {
        ForKeys = forKeys;
    }

    private FaithfulOptions(FaithfulOptions copyFrom)
        : base(copyFrom)
    {
        ForKeys = copyFrom.ForKeys;
    }

    /// <summary>True when writing a key: runtime types are named instead of refused.</summary>
    public bool ForKeys { get; }

    /// <summary>True for options whose formatters write keys.</summary>
    public static bool IsForKeys(MessagePackSerializerOptions options) => options is FaithfulOptions { ForKeys: true };

    protected override MessagePackSerializerOptions Clone() => new FaithfulOptions(this);
}
