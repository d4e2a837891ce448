using SocketDaemon.Cli;

return await SocketCtl.CreateRootCommand(() => Console.In).Parse(args).InvokeAsync();
