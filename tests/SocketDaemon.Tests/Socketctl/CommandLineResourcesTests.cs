using System.CommandLine;
using System.Globalization;
using System.Resources;
using SocketDaemon.Cli;
using SocketDaemon.Cli.Internal;

namespace SocketDaemon.Tests.Socketctl;

/// <summary>socketctl answers two of System.CommandLine's resources itself, to start faster: with the same texts.</summary>
public class CommandLineResourcesTests
{
    [Fact]
    public void The_shortcut_texts_are_System_CommandLines_own()
    {
        var resources = new ResourceManager(CommandLineResources.BaseNameOfResources, typeof(RootCommand).Assembly);

        Assert.NotEmpty(CommandLineResources.Shortcuts);
        foreach (var (name, text) in CommandLineResources.Shortcuts)
        {
            Assert.Equal(resources.GetString(name, CultureInfo.InvariantCulture), text);
        }
    }

    [Fact]
    public void They_are_installed_and_the_other_resources_still_read()
    {
        Assert.True(CommandLineResources.Install(), "System.CommandLine's resource class still has the resourceMan field");

        var help = new StringWriter();
        var exitCode = SocketCtl.CreateRootCommand(TextReader.Null).Parse(["--help"]).Invoke(new InvocationConfiguration { Output = help });

        Assert.Equal(0, exitCode);
        Assert.Contains("Show help and usage information", help.ToString(), StringComparison.Ordinal);
        Assert.Contains("Show version information", help.ToString(), StringComparison.Ordinal);
        Assert.Contains("Usage:", help.ToString(), StringComparison.Ordinal);
    }
}
