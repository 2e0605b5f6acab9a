rpm -qp --provides $TESTDATA/repos/rpms-only/hello-doc-2.12.1-2.noarch.rpm
