using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Xml.Linq;

namespace AkCache.Fody;

/// <summary>
/// The build-time settings written as attributes of &lt;AkCache /&gt; in FodyWeavers.xml (schema:
/// AkCache.Fody.xcf, which Fody merges into FodyWeavers.xsd so editors complete them).
/// </summary>
internal sealed class WeaverSettings
{
    private static readonly string[] Known = { "MaxAgeSeconds", "AutomaticVersions" };

    /// <summary>Time to live of methods whose [Memoize] (and class) set none; 0 leaves it to the runtime's default.</summary>
    public int MaxAgeSeconds { get; private set; }

    /// <summary>Whether the version part of keys is a hash of each method's implementation (true by default).</summary>
    public bool AutomaticVersions { get; private set; } = true;

    /// <summary>Reads the element; every problem is returned as a message for a build error.</summary>
    public static WeaverSettings Read(XElement? config, List<string> problems)
    {
        var settings = new WeaverSettings();
        if (config is null)
        {
            return settings;
        }

        foreach (var attribute in config.Attributes().Where(a => !a.IsNamespaceDeclaration))
        {
            var name = attribute.Name.LocalName;
            var value = attribute.Value.Trim();
            switch (name)
            {
                case "MaxAgeSeconds":
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                    {
                        settings.MaxAgeSeconds = seconds;
                    }
                    else
                    {
                        problems.Add($"AkCache: FodyWeavers.xml sets MaxAgeSeconds=\"{attribute.Value}\". Use a whole number of seconds, 0 or more (0 leaves it to AKCACHE_MAX_AGE_SECONDS or the default of 86400).");
                    }

                    break;
                case "AutomaticVersions":
                    if (bool.TryParse(value, out var automatic))
                    {
                        settings.AutomaticVersions = automatic;
                    }
                    else
                    {
                        problems.Add($"AkCache: FodyWeavers.xml sets AutomaticVersions=\"{attribute.Value}\". Use true or false.");
                    }

                    break;
                default:
                    problems.Add($"AkCache: FodyWeavers.xml has an unknown attribute '{name}' on <AkCache />. Known attributes: {string.Join(", ", Known)}.");
                    break;
            }
        }

        return settings;
    }
}
