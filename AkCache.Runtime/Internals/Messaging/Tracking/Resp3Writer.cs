using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace AkCache.Internals.Messaging.Tracking;

/// <summary>Encodes a command as the array of bulk strings that every Redis version accepts.</summary>
internal static class Resp3Writer
{
    public static byte[] Command(IReadOnlyList<string> arguments)
    {
        var text = new StringBuilder();
        text.Append('*').Append(arguments.Count.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        foreach (var argument in arguments)
        {
            text.Append('$').Append(Encoding.UTF8.GetByteCount(argument).ToString(CultureInfo.InvariantCulture)).Append("\r\n");
            text.Append(argument).Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public static byte[] Command(params string[] arguments) => Command((IReadOnlyList<string>)arguments);
}
