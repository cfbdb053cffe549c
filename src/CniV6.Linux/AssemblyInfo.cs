namespace CniV6.Linux;
