rpm -qpl $TESTDATA/repos/rpms-only/hello-2.12.1-2.x86_64.rpm
