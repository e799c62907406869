using System;
using System.IO;

namespace AkCache.Internals.Distributed;

/// <summary>
/// The Lua scripts AkCache runs on Redis, kept as .lua files under Scripts/ (each documents its KEYS
/// and ARGV at the top) and embedded in the assembly. Read once; StackExchange.Redis then sends each
/// by its SHA1 (EVALSHA) and loads it again only when the server has lost it.
/// </summary>
internal static class LuaScripts
{
    /// <summary>Returns the stored value, or takes the value's lock, or marks the value as awaited.</summary>
    public static readonly string Acquire = Load("acquire.lua");

    /// <summary>Stores a value, releases its lock and announces it to waiting processes.</summary>
    public static readonly string StoreAndRelease = Load("store-and-release.lua");

    /// <summary>Makes a large value's staging key at its full length, with its time to live, before its chunks are written.</summary>
    public static readonly string Stage = Load("stage.lua");

    /// <summary>Moves a large value from its staging key into place (RENAME), releases its lock and announces it.</summary>
    public static readonly string StoreStagedAndRelease = Load("store-staged-and-release.lua");

    /// <summary>Moves a large value written to a staging key into place when it is whole (a store without a lock).</summary>
    public static readonly string MoveStaged = Load("move-staged.lua");

    /// <summary>Renews a lock that its token still owns.</summary>
    public static readonly string Extend = Load("extend.lua");

    private static string Load(string name)
    {
        var resource = "AkCache.Scripts." + name;
        using var stream = typeof(LuaScripts).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"AkCache.Runtime is missing its embedded script '{resource}'; the assembly was built without its Scripts/ folder.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
